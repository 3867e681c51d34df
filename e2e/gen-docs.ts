// Writes docs/reference/config.md from the config schema (`npm run docs`); a test fails when the file is out of date.
import { mkdir, writeFile } from 'node:fs/promises';
import { renderConfigReference } from '../resources/index.js';

const target = new URL('../../docs/reference/config.md', import.meta.url);
await mkdir(new URL('.', target), { recursive: true });
await writeFile(target, renderConfigReference());
process.stdout.write(`wrote ${target.pathname}\n`);
