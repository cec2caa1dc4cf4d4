// Each student's training and validation loss over its steps, as one SVG: what users of the Python stack read
// TensorBoard for. The curves come from the student folders (loss-curve.json, written by the student stages).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile } from '@kard/core';
import { LOSS_CURVE_FILE, type LossCurve } from '../stages/student-training';

/** The student folders kard-train writes, in training order. */
const STUDENTS = ['init', 'base', 'ft', 'rd', 'kard'] as const;

/** The loss curves of a run's students, by student; students trained before the curves were written have none. */
export function readLossCurves(runDir: string): Record<string, LossCurve> {
  const out: Record<string, LossCurve> = {};
  for (const s of STUDENTS) {
    const file = path.join(runDir, 'student', s, LOSS_CURVE_FILE);
    if (fs.existsSync(file)) out[s] = readJsonFile<LossCurve>(file);
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * One panel per student: the training loss of every step as a polyline (class "train") and the validation loss as a
 * polyline with dots (class "validation"), steps on x, loss on y (each panel its own linear scale, labelled at its
 * ends). Undefined when no student has a curve.
 */
export function lossCurvesSvg(curves: Record<string, LossCurve>): string | undefined {
  const names = Object.keys(curves).filter((n) => curves[n].train.length > 0);
  if (names.length === 0) return undefined;
  const w = 560,
    left = 60,
    plotW = 470,
    panelH = 150,
    plotH = 110,
    top = 30;
  const h = top + panelH * names.length;
  const panels = names.map((name, i) => {
    const c = curves[name];
    const y0 = top + i * panelH + 20;
    const points = [...c.train, ...c.validation];
    const steps = points.map((p) => p.step);
    const losses = points.map((p) => p.loss);
    const [sMin, sMax] = [Math.min(...steps), Math.max(...steps)];
    const [lMin, lMax] = [Math.min(...losses), Math.max(...losses)];
    const x = (s: number) => left + (sMax > sMin ? (s - sMin) / (sMax - sMin) : 0.5) * plotW;
    const y = (l: number) => y0 + (lMax > lMin ? (lMax - l) / (lMax - lMin) : 0.5) * plotH;
    const line = (pts: Array<{ step: number; loss: number }>) =>
      pts.map((p) => `${x(p.step).toFixed(2)},${y(p.loss).toFixed(2)}`).join(' ');
    const validation = c.validation.length
      ? `<polyline class="validation" data-student="${esc(name)}" points="${line(c.validation)}" fill="none" ` +
        `stroke="#e45756" stroke-width="1.5"/>` +
        c.validation
          .map((p) => `<circle cx="${x(p.step).toFixed(2)}" cy="${y(p.loss).toFixed(2)}" r="2.5" fill="#e45756"/>`)
          .join('')
      : '';
    return (
      `<text x="${left}" y="${y0 - 6}" font-size="13">${esc(name)}: training (blue, every step)` +
      `${c.validation.length ? `, validation (red, ${c.validationExamples} held-out examples)` : ''}</text>` +
      `<rect x="${left}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>` +
      `<text x="${left - 4}" y="${y0 + 10}" font-size="10" text-anchor="end">${lMax.toFixed(2)}</text>` +
      `<text x="${left - 4}" y="${y0 + plotH}" font-size="10" text-anchor="end">${lMin.toFixed(2)}</text>` +
      `<text x="${left}" y="${y0 + plotH + 12}" font-size="10">step ${sMin}</text>` +
      `<text x="${left + plotW}" y="${y0 + plotH + 12}" font-size="10" text-anchor="end">${sMax}</text>` +
      `<polyline class="train" data-student="${esc(name)}" points="${line(c.train)}" fill="none" stroke="#4c78a8" ` +
      `stroke-width="1"/>${validation}`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif"><text x="${left}" ` +
    `y="18" font-size="14">Student loss per target token</text>${panels.join('')}</svg>\n`
  );
}
