# Picks a JDK of version 21 or newer. POSIX sh; sourced by ./mvnw, ./vitra-watchdog and .ci/run.
# Order: $JAVA_HOME, the `java` on PATH, then the newest JDK under /usr/lib/jvm.

# Prints the major version of the JDK at $1, or nothing if it is not a JDK.
vitra_jdk_major() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    _vitra_v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  else
    _vitra_v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case "$_vitra_v" in 1.*) _vitra_v=${_vitra_v#1.} ;; esac
  _vitra_v=${_vitra_v%%[!0-9]*}
  [ -n "$_vitra_v" ] && printf '%s\n' "$_vitra_v"
  return 0
}

# Prints the home of a JDK >= 21, or nothing.
vitra_find_jdk() {
  _vitra_path_home=""
  if _vitra_java=$(command -v java 2>/dev/null); then
    _vitra_java=$(readlink -f "$_vitra_java" 2>/dev/null || printf '%s' "$_vitra_java")
    _vitra_path_home=$(dirname "$(dirname "$_vitra_java")")
  fi
  for _vitra_home in "${JAVA_HOME-}" "$_vitra_path_home"; do
    _vitra_major=$(vitra_jdk_major "$_vitra_home")
    if [ -n "$_vitra_major" ] && [ "$_vitra_major" -ge 21 ]; then
      printf '%s\n' "$_vitra_home"
      return 0
    fi
  done
  _vitra_best="" _vitra_best_major=0
  for _vitra_name in $(ls -1 /usr/lib/jvm 2>/dev/null); do
    _vitra_home="/usr/lib/jvm/$_vitra_name"
    _vitra_major=$(vitra_jdk_major "$_vitra_home")
    if [ -n "$_vitra_major" ] && [ "$_vitra_major" -ge 21 ] && [ "$_vitra_major" -gt "$_vitra_best_major" ]; then
      _vitra_best="$_vitra_home" _vitra_best_major=$_vitra_major
    fi
  done
  [ -n "$_vitra_best" ] && printf '%s\n' "$_vitra_best"
  return 0
}

# Exports JAVA_HOME as a JDK >= 21 when one can be found; otherwise leaves it for Maven's enforcer to report.
vitra_ensure_java_home() {
  _vitra_found=$(vitra_find_jdk)
  if [ -n "$_vitra_found" ]; then
    JAVA_HOME="$_vitra_found"
    export JAVA_HOME
  else
    echo "vitra-watchdog: no JDK 21 or newer found (JAVA_HOME, java on PATH, /usr/lib/jvm); install one." >&2
  fi
}
