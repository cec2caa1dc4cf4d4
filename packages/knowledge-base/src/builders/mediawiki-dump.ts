import type { ProgressOption } from '@kard/core';
import { readXmlRecords } from './xml-records';

/** One `<page>` of a MediaWiki XML export (pages-articles dumps hold one revision per page). */
export interface WikiPage {
  title: string;
  /** Namespace number: 0 is the main (article) namespace. */
  ns: number;
  id: string;
  /** Target title when the page is a redirect (`<redirect title="..."/>`). */
  redirect?: string;
  /** Wikitext of the last revision in the page. */
  text: string;
}

const ROOT = 'mediawiki/page';
const FIELDS: Record<string, 'title' | 'ns' | 'id' | 'text'> = {
  [`${ROOT}/title`]: 'title',
  [`${ROOT}/ns`]: 'ns',
  [`${ROOT}/id`]: 'id',
  [`${ROOT}/revision/text`]: 'text',
};

/** Streams the pages of a MediaWiki XML dump (`.xml`, or `.xml.bz2` / `.xml.gz` detected by magic bytes). */
export function readMediaWikiPages(file: string, options: ProgressOption = {}): AsyncGenerator<WikiPage> {
  let page: { title?: string; ns?: string; id?: string; redirect?: string; text?: string } = {};
  let field: (typeof FIELDS)[string] | undefined;
  return readXmlRecords<WikiPage>(
    file,
    'dump',
    {
      open(path, tag) {
        if (path === ROOT) page = {};
        else if (path === `${ROOT}/redirect`) page.redirect = String(tag.attributes.title ?? '');
        field = FIELDS[path];
        // A later revision replaces an earlier one: keep the last text only.
        if (field) page[field] = '';
      },
      text(_path, text) {
        if (field) page[field] += text;
      },
      close(path) {
        if (FIELDS[path]) field = undefined;
        if (path !== ROOT) return undefined;
        const ns = Number(page.ns);
        if (page.title === undefined || page.ns === undefined || !Number.isInteger(ns)) {
          throw new Error('a <page> without <title> or a numeric <ns>');
        }
        return { title: page.title, ns, id: page.id ?? '', redirect: page.redirect, text: page.text ?? '' };
      },
    },
    options,
  );
}
