#!/usr/bin/env node
// The `capstan` command. The implementation is compiled TypeScript under dist/.
import("../dist/src/cli/main.js").then((m) => m.main(process.argv));
