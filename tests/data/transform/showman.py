#!/usr/bin/python3
# showman.py RUN_DIR - the parts of a baosong-transform manifest a golden
# case checks, with every recorded size and SHA-256 compared to the file.
import hashlib, json, os, sys

d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
print("program", m["program"], "filing", m["filing"], "period", m["period"],
      "org", m["institution_code"])
print("layout", m["layout"]["name"], "sha256 ok",
      m["layout"]["sha256"] == hashlib.sha256(open(m["layout"]["path"], "rb").read()).hexdigest())
a = m["approval"]
print("approval checked", a["checked"], "approved", a["approved"])
for i in m["inputs"]:
    data = open(i["path"], "rb").read()
    print("input", i["table"], "rows", i["rows"], "key", ",".join(i["key"]),
          "excluded", i["excluded"], "not found", i["exclusions_not_found"],
          "sha256 ok", i["sha256"] == hashlib.sha256(data).hexdigest())
names = set()
for o in m["outputs"]:
    data = open(os.path.join(d, o["name"]), "rb").read()
    names.add(o["name"])
    print("output", o["name"], o["kind"], o["encoding"], "rows", o.get("rows", "-"),
          "bytes ok", o["bytes"] == len(data),
          "sha256 ok", o["sha256"] == hashlib.sha256(data).hexdigest())
for t in m["control_totals"]:
    print("totals", t["file"], "rows", t["rows"], "sums",
          " ".join("%s=%s" % kv for kv in t["sums"].items()) or "-",
          "control", t["control_file"], "verified", t["verified"])
extra = sorted(set(os.listdir(d)) - names - {"manifest.json"})
print("files not in the manifest:", extra or "none")
print("outcome", m["outcome"])
