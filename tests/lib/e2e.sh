# e2e.sh — shell helpers the e2e scripts source (tests/lib is not a test
# layer, so ctest does not run this file).

# og_wait_listen FILE: prints the ip:port a server wrote to FILE as
# OMNIGRAPH_LISTEN_ADDR=..., waiting at most 30 s of wall time (servers
# start slowly under ASan on a loaded machine); fails if it never appears.
og_wait_listen() {
    local deadline=$((SECONDS + 30)) a
    while [ $SECONDS -lt $deadline ]; do
        a=$(sed -n 's/^OMNIGRAPH_LISTEN_ADDR=//p' "$1")
        [ -n "$a" ] && { echo "$a"; return 0; }
        sleep 0.05
    done
    return 1
}
