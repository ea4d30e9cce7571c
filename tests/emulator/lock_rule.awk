# The emulator's locking rule (tools/emulator/emulator.h): in the text of a
# function, each pthread_mutex_lock is followed by one pthread_mutex_unlock,
# with no return between them and no other unlock; nothing unlocks a lock it
# did not take. Prints one line per breach, FILE:LINE: FUNCTION: what;
# nothing when the rule holds. Used by emulator_test.sh.
function breach(what) { printf "%s:%d: %s: %s\n", FILENAME, FNR, name, what }
/^[A-Za-z_].*\(/ && !/;[ \t]*$/ { name = $0; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name) }
/^\{/ { body = 1; held = 0; next }
!body { next }
/pthread_mutex_lock\(/ { if (held) breach("locks twice"); held = 1 }
/pthread_mutex_unlock\(/ { if (!held) breach("unlocks with no lock taken just before in this function"); held = 0 }
held && /(^|[^A-Za-z0-9_])return([ ;(]|$)/ { breach("returns with the lock held") }
/^\}/ { if (held) breach("ends with the lock held"); body = 0 }
