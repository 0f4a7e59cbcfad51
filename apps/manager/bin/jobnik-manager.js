#!/usr/bin/env node
// jobnik-manager serve | migrate (the compiled CLI; run `pnpm build` first)
import "../dist/main.js";
