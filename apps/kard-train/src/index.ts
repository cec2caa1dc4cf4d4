export { addConfigOptions, configFromOptions } from './cli-options';
