#!/usr/bin/env bash
# Start (or stop) the real servers the tests talk to, on loopback only:
# a Prometheus Pushgateway, a Prometheus server scraping it, an S3-protocol server (moto).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${SILKPIPE_SERVICES_DIR:-/tmp/silkpipe-services}
mkdir -p "$STATE"
case "${1:-start}" in
start)
  if ! curl -sf http://127.0.0.1:9091/-/ready >/dev/null 2>&1; then
    nohup prometheus-pushgateway --web.listen-address=127.0.0.1:9091 >"$STATE/pushgateway.log" 2>&1 &
  fi
  cat >"$STATE/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:9091"]
YAML
  if ! curl -sf http://127.0.0.1:9090/-/ready >/dev/null 2>&1; then
    nohup prometheus --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$STATE/tsdb" \
      --web.listen-address=127.0.0.1:9090 >"$STATE/prometheus.log" 2>&1 &
  fi
  for url in http://127.0.0.1:9091/-/ready http://127.0.0.1:9090/-/ready; do
    for _ in $(seq 60); do curl -sf "$url" >/dev/null && break; sleep 0.5; done
    curl -sf "$url" >/dev/null || { echo "service at $url did not start"; exit 1; }
  done
  echo "pushgateway :9091 and prometheus :9090 ready"
  ;;
stop)
  pkill -f 'prometheus-pushgateway --web.listen-address=127.0.0.1:9091' || true
  pkill -f "prometheus --config.file=$STATE/prometheus.yml" || true
  ;;
esac
