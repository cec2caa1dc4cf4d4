export { TrecFormatError } from './errors';
export { formatRunLines, type Qrels, readQrels, readRun, readTopics, type Run, type Topic } from './files';
export { type Evaluation, evaluateRun } from './metrics';
