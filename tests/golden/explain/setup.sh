# setup.sh - the catalog and policies of tests/explain.sh (sourced in an empty directory)
mkdir -p s/usr/bin s2/usr/lib s3/etc
echo app >s/usr/bin/app && echo zlib >s2/usr/lib/libz && echo conf >s3/etc/c
printf '{"scan": {"critical": 1, "cves": [{"id": "CVE-2099-0001", "severity": "critical"}]}}\n' >vuln.json
"$CPOLC" catalog init cat
"$CPOLC" catalog add cat --name app --version 1.0 --depends 'libmid (>= 1.0)' s
"$CPOLC" catalog add cat --name libmid --version 1.0 --depends 'zlib (>= 1.2) | libz-alt' s2
"$CPOLC" catalog add cat --name zlib --version 1.2 s2
"$CPOLC" catalog add cat --name zlib --version 1.3 s2
"$CPOLC" catalog add cat --name libz-alt --version 1 s3
"$CPOLC" catalog add cat --name curl --version 8.0 s3
"$CPOLC" catalog add cat --name curl --version 7.0 s3
"$CPOLC" catalog add cat --name armonly --version 1 --platform linux/arm64 s3
"$CPOLC" catalog add cat --name vuln --version 1.0 --meta vuln.json s3
cat >web.cpol <<'P'
import "security";

policy "web" {
  include "app";
  include "zlib" < "1.3";
  exclude "libz-alt";
  use security.no_critical_cves;
}
P
cat >broken.cpol <<'P'
import "security";

policy "broken" {
  include "curl" >= "9.0";
  include "vuln";
  include "armonly";
  use security.no_critical_cves;
}
P
cat >deep.cpol <<'P'
policy "deep" {
  include "app";
  exclude "libz-alt";
}
P
