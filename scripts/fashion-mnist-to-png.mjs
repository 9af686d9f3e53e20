#!/usr/bin/env node
// Writes Fashion-MNIST images from Debian's `dataset-fashion-mnist` package as PNG files in
// one folder per class (<out>/<class>/<index>.png) — the folder layout Latent Lens trains on.
//
// The embedded sample was made with:
//   node scripts/fashion-mnist-to-png.mjs --split train --per-class 200 --out samples/fashion-mnist-2k
// The benchmarks make bigger folders the same way (e.g. --split train --first 10000).
//
//   --split train|t10k    which file pair to read (60,000 training / 10,000 test images)
//   --per-class N         the first N images of each class, in file order
//   --first N             the first N images of the file, whatever their class (as torch_ref.py reads)
//   --out DIR             output folder (created)
import { readFileSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const SOURCE = '/usr/share/datasets/fashion-mnist';
export const CLASS_NAMES = ['tshirt-top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

const { values } = parseArgs({ options: { split: { type: 'string', default: 'train' }, 'per-class': { type: 'string' }, first: { type: 'string' }, out: { type: 'string' } } });
if (!values.out || (!values['per-class'] && !values.first)) {
  console.error('usage: fashion-mnist-to-png.mjs --split train|t10k (--per-class N | --first N) --out DIR');
  process.exit(2);
}
const read = (name) => {
  try { return gunzipSync(readFileSync(path.join(SOURCE, name))); }
  catch (e) { console.error(`cannot read ${SOURCE}/${name}: ${e.message}\nInstall it with: apt-get install dataset-fashion-mnist`); process.exit(1); }
};
const images = read(`${values.split}-images-idx3-ubyte.gz`);
const labels = read(`${values.split}-labels-idx1-ubyte.gz`);
const count = images.readUInt32BE(4), rows = images.readUInt32BE(8), cols = images.readUInt32BE(12);

const perClass = values['per-class'] ? Number(values['per-class']) : Infinity;
const first = values.first ? Number(values.first) : Infinity;
const taken = new Array(10).fill(0);
let written = 0;
for (const name of CLASS_NAMES) mkdirSync(path.join(values.out, name), { recursive: true });
for (let i = 0; i < Math.min(count, first); i++) {
  const label = labels[8 + i];
  if (taken[label] >= perClass) continue;
  taken[label]++;
  const pixels = images.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols);
  // File names keep the index in the source file so any image can be traced back.
  await sharp(pixels, { raw: { width: cols, height: rows, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toFile(path.join(values.out, CLASS_NAMES[label], `${String(i).padStart(5, '0')}.png`));
  written++;
}
console.log(`wrote ${written} PNG files to ${values.out}`);
