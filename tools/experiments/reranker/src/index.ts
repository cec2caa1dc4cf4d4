export { buildSearchSpaces, loadStrategyQa, quotedClaim, type StrategyQaData } from './strategyqa';
export { crossValidate, trainEval, trainEvalOn, type TrainEvalOptions, type TrainEvalResult } from './train-eval';
