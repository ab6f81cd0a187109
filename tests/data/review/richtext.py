# Turn the first shared string containing NEEDLE into rich text (two runs,
# the second bold), as Excel writes a partly formatted cell.
#   richtext.py IN.xlsx OUT.xlsx NEEDLE
import sys, zipfile, re
src, dst, needle = sys.argv[1:]
zin = zipfile.ZipFile(src)
zout = zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
done = False
for item in zin.infolist():
    data = zin.read(item.filename)
    if item.filename == "xl/sharedStrings.xml":
        text = data.decode("utf-8")
        def repl(m):
            global done
            t = m.group(1)
            if done or needle not in t:
                return m.group(0)
            done = True
            k = len(t) // 2
            return ('<si><r><t xml:space="preserve">%s</t></r><r><rPr><b val="true"/></rPr>'
                    '<t xml:space="preserve">%s</t></r></si>' % (t[:k], t[k:]))
        text = re.sub(r"<si><t(?: xml:space=\"preserve\")?>([^<]*)</t></si>", repl, text)
        data = text.encode("utf-8")
    zout.writestr(item, data)
zout.close()
if not done:
    sys.exit("richtext.py: no shared string contains %r" % needle)
