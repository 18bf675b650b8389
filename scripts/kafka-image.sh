#!/usr/bin/env bash
# Builds the local cluster's Kafka image from scratch with buildah (no RUN step), as an OCI layout
# tagged with Kafka's version:
#   localhost/netmap/kafka:4.1.1   Apache Kafka 4.1.1's jars from Maven Central (test/tools/kafka-broker/pom.xml,
#                                  cached in $NETMAP_CACHE/kafka-4.1.1 as record-lines.sh gets them), Debian's
#                                  Java 17 runtime, a POSIX shell (busybox-static), the broker's entrypoint
#                                  (demo/kafka/kafka-broker.sh) and the demo's Kafka clients
#                                  (demo/kafka/DemoKafkaClient.java, compiled here with Debian's javac)
# One image for the broker and its clients: they share the JVM and the jars (one unpack on the
# node). Output: a directory with kafka/ and a `complete` marker, keyed by everything the image is
# made of, linked from .cache/kafka-image; a second run only prints the path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETMAP_ROOT"
log() { printf 'kafka-image: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

version=4.1.1
java_home=/usr/lib/jvm/java-17-openjdk-amd64
[ -x "$java_home/bin/java" ] || fail "no Java 17 runtime: apt-get install openjdk-17-jre-headless"
[ -x "$java_home/bin/javac" ] || fail "no Java 17 compiler: apt-get install openjdk-17-jdk-headless"
command -v mvn >/dev/null || fail "no Maven: apt-get install maven"
busybox=/bin/busybox
[ -x "$busybox" ] || fail "no static busybox: apt-get install busybox-static"
pom=test/tools/kafka-broker/pom.xml
demo=test/support/local-cluster/demo/kafka
lib="$NETMAP_CACHE/kafka-$version/lib"
if [ ! -f "$lib/.complete" ]; then
  log "fetching Kafka $version from Maven Central"
  mkdir -p "$lib"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime
  touch "$lib/.complete"
fi

key=$( { cat "${BASH_SOURCE[0]}" "$pom" "$demo"/* test/tools/kafka-broker/*.properties; ls "$lib"; sha256sum "$java_home/lib/server/libjvm.so" "$java_home/lib/modules" "$busybox"; } | sha256sum | cut -c1-16)
out=$NETMAP_CACHE/kafka-image-$key

if [ ! -f "$out/complete" ]; then
  command -v buildah >/dev/null || fail "cannot build the Kafka image: install buildah (apt-get install buildah)"
  [ "$(id -u)" = 0 ] || fail "cannot build the Kafka image: buildah needs root here"
  mkdir -p "$NETMAP_BUILDAH_STORAGE"
  exec {lock}>"$out.lock"
  flock "$lock"
  if [ ! -f "$out/complete" ]; then
    start=$SECONDS
    work=$(mktemp -d "$NETMAP_CACHE/kafka-image.XXXXXX")
    # shellcheck disable=SC2064 # expand now
    trap "rm -rf '$work'" EXIT
    root=$work/root
    mkdir -p "$root/etc" "$root/tmp" "$root/var/lib/kafka/data" "$root/opt/kafka/config" "$root/opt/kafka/demo" "$root/opt/java"
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
    # Debian's runtime, its links into /etc/java-17-openjdk resolved; not the JDK's parts.
    for part in bin conf release; do cp -rL "$java_home/$part" "$root/opt/java/"; done
    mkdir -p "$root/opt/java/lib"
    for entry in "$java_home"/lib/*; do
      case ${entry##*/} in ct.sym|src.zip) continue ;; esac # the compiler's
      [ -e "$entry" ] && cp -rL "$entry" "$root/opt/java/lib/"
    done
    for binary in "$root"/opt/java/bin/* "$root"/opt/java/lib/*.so "$root"/opt/java/lib/server/*.so; do
      for dep in $(ldd "$binary" 2>/dev/null | grep -o '/[^ ]*' || true); do
        [ -e "$root$dep" ] || install -D -m 0755 "$(readlink -f "$dep")" "$root$dep"
      done
    done
    install -D -m 0755 "$busybox" "$root/bin/busybox"
    for applet in $("$busybox" --list); do
      [ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    mkdir -p "$root/opt/kafka/libs"
    cp "$lib"/*.jar "$root/opt/kafka/libs/"
    cp test/tools/kafka-broker/broker-log4j2.properties "$root/opt/kafka/config/log4j2.properties"
    cp test/tools/kafka-broker/tools-log4j2.properties "$root/opt/kafka/config/tools-log4j2.properties"
    "$java_home/bin/javac" --release 17 -d "$root/opt/kafka/demo" -cp "$lib/*" "$demo/DemoKafkaClient.java"
    install -D -m 0755 "$demo/kafka-broker.sh" "$root/opt/kafka/bin/kafka-broker.sh"
    cp /etc/protocols /etc/services "$root/etc/"
    tar -C "$root" --owner=0 --group=0 -cf "$root.tar" .
    container=$(buildah_ from scratch)
    buildah_ add --quiet "$container" "$root.tar" / >/dev/null
    buildah_ config --entrypoint '["/opt/kafka/bin/kafka-broker.sh"]' --cmd '' --workingdir /opt/kafka \
      --env PATH=/opt/java/bin:/bin --env JAVA_HOME=/opt/java "$container"
    buildah_ commit --quiet --rm "$container" "localhost/netmap/kafka:$version" >/dev/null
    buildah_ push --quiet "localhost/netmap/kafka:$version" "oci:$work/kafka:$version"
    buildah_ rmi "localhost/netmap/kafka:$version" >/dev/null
    rm -rf "$out" && mkdir -p "$out"
    mv "$work/kafka" "$out/"
    [ -f "$out/kafka/index.json" ] || fail "no kafka image"
    touch "$out/complete"
    log "built in $((SECONDS - start)) s"
    # Bounded: the newest two stay (other checkouts may point at them).
    find "$NETMAP_CACHE" -maxdepth 1 -name 'kafka-image-????????????????' -type d -printf '%T@ %p\n' | sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
  fi
  exec {lock}>&-
fi
mkdir -p .cache && ln -sfn "$out" .cache/kafka-image
echo "$out"
