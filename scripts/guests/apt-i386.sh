# Sourced by the guest scripts: an apt configuration of Plugboard's own for
# Debian's i386 packages (main and non-free-firmware), kept in the cache. It
# is `dpkg --add-architecture i386` plus `apt-get update` without touching the
# host's apt state, so it needs no root and changes nothing outside the cache.
apt_root="$cache_root/apt-i386"
apt_opts=(
  -o "Dir::Etc=$apt_root/etc"
  -o "Dir::State::Lists=$apt_root/lists"
  -o "Dir::State::status=$apt_root/status"
  -o "Dir::Cache=$apt_root/cache"
  -o "APT::Architecture=i386"
  -o "APT::Architectures=i386"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)

apt_i386_update() {
  mkdir -p "$apt_root/etc/sources.list.d" "$apt_root/etc/preferences.d" "$apt_root/lists/partial" "$apt_root/cache/archives/partial"
  touch "$apt_root/status"
  local suite
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  cat >"$apt_root/etc/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  apt-get "${apt_opts[@]}" update -qq
}

apt_i386_download() {
  (cd "$1" && shift && apt-get "${apt_opts[@]}" download -qq "$@")
}

apt_i386_newest() {
  apt-cache "${apt_opts[@]}" search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1
}
