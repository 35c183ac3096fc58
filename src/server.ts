#!/usr/bin/env node
// Process entry (`ecommpay-sandbox`): a subcommand (`conformance`, `listen`) loads only what it needs; anything
// else starts the server (src/serve.ts).
const subcommand = process.argv[2];
if (subcommand === 'conformance') await (await import('./conformance/cli.js')).main(process.argv.slice(3));
else if (subcommand === 'listen') await (await import('./listen/cli.js')).main(process.argv.slice(3));
else await import('./serve.js');

export {};
