#!/usr/bin/env bash
# The server's cost of one consume statement against the floors, without Java or JDBC: pgbench sends each
# script of this folder as a prepared statement, one client, and the server's CPU time (postmaster and its
# children from /proc, autovacuum off) is divided by the transactions. Needs PostgreSQL's server binaries
# and pgbench (Debian: apt-get install postgresql), run as root from this folder:
#   ./run.sh                    # every script, 3 rounds of 4 s, alternating
#   ./run.sh 8 2 update.sql consume_fast.sql
# Starts a throwaway server on port 5499 under /tmp/limits-pgbench with the benchmark's settings
# (fsync and synchronous_commit off, shared_buffers 512MB), loads ../../limits-jdbc's schema, and stops it.
# LOCALE=C initdb's the server with the C collation instead of C.UTF-8 (keys then compare as bytes).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-4}; rounds=${2:-3}; shift $(( $# < 2 ? $# : 2 )) || true
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(update.sql update6.sql update6_any.sql update6_unnest.sql plain_checks.sql
  row_checks.sql consume_fast.sql fast_no_exception.sql fast_no_settings.sql fast_precheck.sql
  upd6_b4.sql fast_b4.sql fast_b4_no_exception.sql fast_b4_precheck.sql row_b4.sql upd6_b8.sql fast_b8.sql
  row_b8.sql) # *_b4, *_b8, *_no_*, *_precheck made below
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)} # PG_BIN: another server's binaries
dir=/tmp/limits-pgbench
rm -rf "$dir" && mkdir -p "$dir" && chown postgres "$dir"
su postgres -c "$bin/initdb -D $dir/data -E UTF8 --locale=${LOCALE:-C.UTF-8} -A trust >/dev/null"
su postgres -c "$bin/pg_ctl -D $dir/data -l $dir/log -w start -o '-p 5499 -k $dir -c fsync=off \
  -c synchronous_commit=off -c shared_buffers=512MB -c autovacuum=off'" >/dev/null
trap 'su postgres -c "$bin/pg_ctl -D $dir/data -m fast stop" >/dev/null' EXIT
psql=(psql -q -X -v ON_ERROR_STOP=1 -h "$dir" -p 5499 -U postgres)
schema=$(sed 's/\${prefix}/limits_/g' ../../limits-jdbc/src/main/resources/dev/limits/jdbc/postgresql.sql)
"${psql[@]}" -c "$schema" -f data.sql -f variants.sql
# PGBENCH_SETUP: more SQL run after the tables are loaded (say, a storage parameter to try)
[ -z "${PGBENCH_SETUP:-}" ] || echo "$PGBENCH_SETUP" | "${psql[@]}" -f -
# Three variants of the shipped fast function: without its SET clauses; without its exception block (the
# block stays, so that a partial write raises out of the function and the statement fails); and with the
# block's lock-free read moved before the write, answering a denial without writing, so that only a write
# that lost a race to a concurrent one raises (precheck).
fast=$(echo "$schema" | sed -n '/^CREATE OR REPLACE FUNCTION limits_counter_consume_fast/,/^\$\$;/p')
echo "$fast" | perl -0pe 's/limits_counter_consume_fast/probe_fast_no_settings/;
  s/\n    SET plan_cache_mode.*?AS \$\$/\n    AS \$\$/s or die "no SET clauses"' | "${psql[@]}" -f -
echo "$fast" | perl -0pe 's/limits_counter_consume_fast/probe_fast_no_exception/; s/ -- caught below: undoes the rows written//;
  s/\n  EXCEPTION WHEN SQLSTATE .P0002. THEN.*?\n  END;/\n  END;/s or die "no exception block"' | "${psql[@]}" -f -
echo "$fast" | perl -0pe 's/limits_counter_consume_fast/probe_fast_precheck/; s/ -- caught below: undoes the rows written//;
  s/\nBEGIN\n  BEGIN\n(.*?)\n  EXCEPTION WHEN SQLSTATE .P0002. THEN\n(.*?;)\n.*?\n  END;\n/\nBEGIN\n$2
    IF NOT plain THEN\n      RETURN ARRAY[NULL::bigint];\n    END IF;
    IF NOT fits THEN\n      RETURN 1::bigint || res;\n    END IF;\n$1\n/s or die "no exception block"' | "${psql[@]}" -f -
# Batches, as a coalesced batch sends them (each cell once): batch B SCRIPT writes SCRIPT's consume for B
# distinct subjects drawn from B disjoint ranges, in one statement. A subject compared with = becomes an IN
# list (upd6_bB, the bare write of the rows; row_bB, the one-row layout, a lower bound: it neither undoes a
# partial batch nor answers each window's usage); otherwise each ARRAY is repeated per subject (fast_bB).
batch() {
  b=$1 perl -0pe 'my $b = $ENV{b}; my $w = 10000 / $b;
    s/^\\set s random\(0, 9999\)\n/join "", map { "\\set s$_ " . $_ * $w . " + random(0, " . ($w - 1) . ")\n" } 0 .. $b - 1/me
      or die "no subject";
    s/= (\x27user-\x27 \|\| :s)\b/"IN (" . join(", ", map { "\x27user-\x27 || :s$_" } 0 .. $b - 1) . ")"/e
      or s/ARRAY\[(.*?)\]/my $a = $1; "ARRAY[" . join(",", map { (my $x = $a) =~ s{:s\b}{:s$_}g; $x } 0 .. $b - 1) . "]"/ge;' "$2"
}
for b in 4 8; do
  batch $b consume_fast.sql > "$dir/fast_b$b.sql"
  batch $b update6.sql > "$dir/upd6_b$b.sql"
  batch $b row_checks.sql > "$dir/row_b$b.sql"
done
# and the variants' calls: the scripts of the shipped function with the variant's name
for v in no_settings no_exception precheck; do
  for f in consume_fast.sql "$dir"/fast_b*.sql; do
    n=$(basename "$f" .sql); n=${n/consume_fast/fast}
    sed "s/limits_counter_consume_fast/probe_fast_$v/" "$f" > "$dir/${n}_$v.sql"
  done
done
pm=$(head -1 "$dir/data/postmaster.pid")
cpu() { # clock ticks of the postmaster, its live children and its reaped ones
  local t=0 p a
  for p in $(pgrep -P "$pm") "$pm"; do
    read -ra a < "/proc/$p/stat" 2>/dev/null || continue
    t=$((t + a[13] + a[14]))
  done
  read -ra a < "/proc/$pm/stat"
  echo $((t + a[15] + a[16]))
}
hz=$(getconf CLK_TCK)
for ((r = 1; r <= rounds; r++)); do
  for f in "${scripts[@]}"; do
    c0=$(cpu)
    file=$f; [ -f "$file" ] || file=$dir/$f
    out=$(pgbench -h "$dir" -p 5499 -U postgres -n -M prepared -c 1 -T "$seconds" -f "$file" postgres 2>&1)
    c1=$(cpu)
    tx=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
    tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    printf '%-24s round %d  %8.0f tx/s  server %4d us/tx\n' "$f" "$r" "$tps" $(( (c1 - c0) * 1000000 / hz / tx ))
  done
  "${psql[@]}" -c VACUUM
done
