#!/usr/bin/env node
import { createProgram, USER_ERRORS } from './cli/program';

createProgram()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    // Input problems are the user's to fix: the message says where; a stack trace would only hide it.
    console.error(`kard-kb: ${USER_ERRORS.some((k) => err instanceof k) ? err.message : (err.stack ?? err.message)}`);
    process.exit(1);
  });
