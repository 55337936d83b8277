#!/bin/sh
# `--disable-protocol rai` turns the whole plugin off (the four interface protocols with it):
# the reference capture then has no MS-RAI PDU; with the plugin on it has 20.
#   usage: check-disable.sh TOP PLUGIN
set -eu
top=$1
plugin=$2
capture=$top/testdata/captures/rai-reference.pcap
on=$("$top/tools/rai-tshark" --plugin "$plugin" -n -Y rai -r "$capture" | wc -l)
off=$("$top/tools/rai-tshark" --plugin "$plugin" -n --disable-protocol rai \
    -Y "rai || rai.irasrv || rai.ipchservice || rai.ipchcollection || rai.isafsession" \
    -r "$capture" | wc -l)
if [ "$on" -ne 20 ] || [ "$off" -ne 0 ]; then
    echo "MS-RAI PDUs: $on with the plugin on (expected 20), $off with rai disabled (expected 0)" >&2
    exit 1
fi
echo "ok: 20 MS-RAI PDUs, none with --disable-protocol rai"
