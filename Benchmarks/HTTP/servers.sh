# The benchmark servers by name, for Benchmarks/run-http and Benchmarks/run-cpu (sourced).
# server_command NAME: sets the array `command` to the command that starts server NAME, from the
# binaries in $bin, the file driver's folder $work/files and, for the servers on PostgreSQL,
# $database_url with $DB_POOL connections.
server_command() {
    case $1 in
        hb-bare) command=("$bin/hb-server" bare) ;;
        hb-auth) command=("$bin/hb-server" auth) ;;
        hb-floor) command=("$bin/hb-server" floor) ;;
        hb-ours-memory) command=(env SESSION_DRIVER=memory "$bin/hb-server" ours) ;;
        hb-ours-file) command=(env SESSION_DRIVER=file SESSION_FILES="$work/files" "$bin/hb-server" ours) ;;
        hb-ours-database) command=(env SESSION_DRIVER=database SESSION_DATABASE_URL="$database_url"
            SESSION_DATABASE_POOL_SIZE="$DB_POOL" "$bin/hb-server" ours) ;;
        vapor-bare) command=("$bin/vapor-server" bare) ;;
        vapor-sessions) command=("$bin/vapor-server" sessions) ;;
        vapor-floor) command=("$bin/vapor-server" floor) ;;
        vapor-ours-memory) command=(env SESSION_DRIVER=memory "$bin/vapor-server" ours) ;;
        vapor-ours-file) command=(env SESSION_DRIVER=file SESSION_FILES="$work/files" "$bin/vapor-server" ours) ;;
        # Vapor opens its pool per event loop, one loop per core.
        vapor-fluent) command=(env DATABASE_URL="$database_url" FLUENT_POOL_PER_LOOP=$((DB_POOL / $(nproc) > 0 ? DB_POOL / $(nproc) : 1))
            "$bin/vapor-server" fluent) ;;
        *) echo "unknown server $1" >&2; return 1 ;;
    esac
}
