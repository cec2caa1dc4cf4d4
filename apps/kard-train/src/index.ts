export { addConfigOptions, configFromOptions } from '@kard/pipeline';
