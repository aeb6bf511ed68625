#!/usr/bin/env node
// The bin npm links: a committed file, so the link exists before the first build
// (npm links bins at `npm ci`, before dist/ does). The command itself is in dist/.
import '../dist/bin.js';
