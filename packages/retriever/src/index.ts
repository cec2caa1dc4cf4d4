export * from './types';
export * from './analysis';
export * from './sparse';
export * from './trec';
export * from './dense';
export * from './hybrid';
