export * from './types';
export * from './analysis';
export * from './sparse';
export * from './trec';
