# Reads Gatling's index.html statistics table; prints one tab-separated line per row:
# name total ok ko min p50 p75 p95 p99 max mean  (the first row is "All Requests")
/<th id="col-[0-9]+"/ {
  line = $0
  sub(/.*<th id="col-/, "", line); n = line; sub(/".*/, "", n)
  sub(/^[^>]*>/, "", line); gsub(/<[^>]*>/, "", line); gsub(/^ +| +$/, "", line)
  head[n] = line
}
/class="ellipsed-name">/ { name = $0; sub(/.*class="ellipsed-name">/, "", name); sub(/<.*/, "", name); delete v }
/<td class="value [a-z ]*col-[0-9]+">/ {
  line = $0; sub(/.*col-/, "", line); n = line; sub(/".*/, "", n)
  val = line; sub(/^[0-9]+">/, "", val); sub(/<.*/, "", val); gsub(/,/, "", val)
  if (val == "-") val = 0
  v[n] = val
}
/<\/tr>/ && name != "" {
  if (head[2] != "Total" || head[3] != "OK" || head[4] != "KO" || head[8] != "50th pct" || head[11] != "99th pct" || head[13] != "Mean") {
    print "unexpected Gatling report layout" > "/dev/stderr"; exit 2
  }
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, v[2], v[3], v[4], v[7], v[8], v[9], v[10], v[11], v[12], v[13]
  name = ""
}
