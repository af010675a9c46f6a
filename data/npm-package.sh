# Sourced by the data/fetch-*.sh scripts (not run on its own).
# unpack_npm_package SPEC: downloads the tarball of npm package SPEC (name@version) with `npm pack`, which needs no
# npm project, unpacks it into a temporary folder removed when the script exits, and sets $package to its package/.
unpack_npm_package() {
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$1" >/dev/null && tar xzf ./*.tgz)
  package="$work/package"
}
