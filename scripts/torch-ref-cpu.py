#!/usr/bin/env python3
"""torch_ref.py, unmodified, with the CPU time of each epoch recorded beside its wall time.

    /usr/bin/python3 scripts/torch-ref-cpu.py /path/to/torch_ref.py [torch_ref.py's arguments]

Imports torch_ref.py as a module and runs its main() with its `time` module replaced by one whose
time() also reads time.process_time() (the CPU time of every thread of this process). main() reads
the clock exactly twice per epoch (the epoch's start and end), so each pair of reads is one epoch.
After torch_ref.py's own lines it prints one JSON line: per epoch, wall s, CPU s, images, CPU ms
per batch and CPU / wall (the cores the epoch actually got). scripts/bench.mjs uses it to tell
"slow code" from "no core available" for the reference as for Latent Lens.
"""
import importlib.util, json, sys, time, types

path = sys.argv[1]
sys.argv = [path] + sys.argv[2:]
spec = importlib.util.spec_from_file_location("torch_ref", path)
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
marks = []
clock = types.ModuleType("time")
clock.__dict__.update(time.__dict__)
def _time():
    marks.append((time.time(), time.process_time()))
    return marks[-1][0]
clock.time = _time
ref.time = clock
ref.main()
batch = 128
for i, a in enumerate(sys.argv):
    if a == "--batch": batch = int(sys.argv[i + 1])
epochs = []
for (w0, c0), (w1, c1) in zip(marks[0::2], marks[1::2]):
    epochs.append({"wall_s": round(w1 - w0, 3), "cpu_s": round(c1 - c0, 3), "cores_used": round((c1 - c0) / (w1 - w0), 2)})
print(json.dumps({"cpu_probe": True, "batch": batch, "epochs": epochs}), flush=True)
