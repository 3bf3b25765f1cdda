"use strict";
// The jsii runtime's entry point without its relay process (goldenpath/fastimport.py writes this
// file as bin/goldenpath-direct.js beside the runtime's own lib/program.js and names it to jsii).
//
// jsii ships bin/jsii-runtime.js, which only spawns a second node running lib/program.js (the
// kernel) and relays every request and response between Python's pipes and the kernel's fd 3,
// re-encoding the kernel's stdout and stderr as JSON lines on its own stderr, which jsii's Python
// side decodes (jsii/_kernel/providers/process.py: stderr_sink). Every call from Python so crossed
// four pipes and woke two node processes: at 100 apps the Terraform construction took 1.9-2.1 s
// with the relay and 1.43-1.44 s without it.
//
// Here the kernel runs in the process jsii started. ./node gave it the fds it expects: the
// requests on fd 3 and the responses on fd 4 (dups of Python's stdin and stdout pipes), fd 1 and
// fd 2 both Python's stderr pipe. What the relay did with console output is done here, per write:
// process.stdout and process.stderr write {"stdout"|"stderr": base64} lines to fd 2, the very
// lines the relay wrote, so Python prints them as before. (The relay also printed jsii's banner
// about the node version, which goldenpath/fastimport.py silences anyway; it is not printed here.)
const fs = require("fs");

function relayed(name) {
  return function write(chunk, encoding, callback) {
    if (typeof encoding === "function") {
      callback = encoding;
      encoding = undefined;
    }
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    fs.writeSync(2, `${JSON.stringify({ [name]: bytes.toString("base64") })}\n`);
    if (typeof callback === "function") {
      process.nextTick(callback);
    }
    return true;
  };
}

process.stdout.write = relayed("stdout");
process.stderr.write = relayed("stderr");
// read by lib/program.js as patched (fastimport.DIRECT_PATCH): its responses go to fd 4
globalThis.__goldenpathJsiiWriteFd = 4;
require("../lib/program.js");
