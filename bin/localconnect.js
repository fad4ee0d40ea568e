#!/usr/bin/env node
// Runs the TypeScript sources directly: Node.js 24 strips types natively.
import '../src/cli.ts';
