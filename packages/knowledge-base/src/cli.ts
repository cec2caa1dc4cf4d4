#!/usr/bin/env node
import { describeCliError } from '@kard/core';
import { createProgram } from './cli/program';

createProgram()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    // Input problems (KardErrors) are the user's to fix: the message says where; a stack trace would only hide it.
    console.error(`kard-kb: ${describeCliError(err)}`);
    process.exit(1);
  });
