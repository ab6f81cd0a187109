#!/usr/bin/python3
# mkrun.py DIR [--filing REPORT/PERIOD] [--org CODE] FILE.csv...
# Make DIR a finished extract run holding copies of the CSV files, with a
# manifest.json shaped like baosong-extract's (outputs with rows, bytes and
# SHA-256; filing; params.period; derived_params.institution_code), so that
# a golden case can give baosong-transform --in DIR without a database.
import csv, hashlib, json, os, shutil, sys

args = sys.argv[1:]
out = args.pop(0)
filing, org = "t/2026-10", "000001"
while args and args[0].startswith("--"):
    opt = args.pop(0)
    if opt == "--filing":
        filing = args.pop(0) or None
    elif opt == "--org":
        org = args.pop(0) or None
os.makedirs(out, exist_ok=True)
outputs = []
for f in args:
    name = os.path.basename(f)
    shutil.copyfile(f, os.path.join(out, name))
    data = open(os.path.join(out, name), "rb").read()
    rows = sum(1 for _ in csv.reader(data.decode("utf-8").splitlines(True))) - 1
    outputs.append({"name": name, "rows": rows, "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest()})
m = {"program": "baosong-extract", "version": "0.1.0", "run_id": "R1",
     "filing": filing, "params": {"period": filing.split("/")[1]} if filing else {},
     "derived_params": {"institution_code": org} if org else {},
     "outputs": outputs, "outcome": {"status": "ok", "exit_code": 0}}
json.dump(m, open(os.path.join(out, "manifest.json"), "w"), indent=2)
