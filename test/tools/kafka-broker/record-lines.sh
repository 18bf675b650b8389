#!/usr/bin/env bash
# Records real authorizer lines from a real Kafka 4 broker (KRaft, one combined broker and
# controller, StandardAuthorizer on, everything allowed while no ACL exists), run as a plain
# process in a network namespace, with clients in three others: a producer to `orders` (which
# also creates the topics and two ACLs), a consumer group `shipper` reading `orders` and
# producing `shipping`, and a client that only describes topics. Writes the broker's
# authorizer lines (and a sample of its other lines) to the file given, for the parser's tests.
#   usage: NETMAP_TEST_SLOT=N test/tools/kafka-broker/record-lines.sh OUT.log
# Needs root (namespaces), Java 17 and Maven (Kafka comes from Maven Central, cached).
set -euo pipefail
out=$(realpath -m "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../../../scripts/env.sh"
slot=${NETMAP_TEST_SLOT:-0}
lib="$NETMAP_CACHE/kafka-4.1.1/lib"
if [ ! -f "$lib/.complete" ]; then
  mkdir -p "$lib"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime
  touch "$lib/.complete"
fi
work=$(mktemp -d)
net="10.66.$slot"
br="nmk${slot}br"
names=(broker prod cons desc)
cleanup() {
  if [ -n "${broker_pid:-}" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  for n in "${names[@]}"; do ip netns del "nmk$slot-$n" 2>/dev/null || true; done
  ip link del "$br" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip link add "$br" type bridge
ip link set "$br" up
for i in "${!names[@]}"; do
  ns="nmk$slot-${names[$i]}"
  ip netns add "$ns"
  ip link add "nmk${slot}v$i" type veth peer name eth0 netns "$ns"
  ip link set "nmk${slot}v$i" master "$br" up
  ip -n "$ns" addr add "$net.$((i + 1))/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done
cat > "$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$net.1:9093
listeners=PLAINTEXT://$net.1:9092,CONTROLLER://$net.1:9093
advertised.listeners=PLAINTEXT://$net.1:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$work/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=true
PROPS
tools=(-Xmx128m -cp "$lib/*" -Dlog4j2.configurationFile="$here/tools-log4j2.properties")
java "${tools[@]}" kafka.tools.StorageTool format -t "$(java "${tools[@]}" kafka.tools.StorageTool random-uuid)" -c "$work/server.properties" >/dev/null
started_at=$(date +%s.%N)
ip netns exec "nmk$slot-broker" java -Xmx512m -Xms256m -cp "$lib/*" -Dlog4j2.configurationFile="$here/broker-log4j2.properties" kafka.Kafka "$work/server.properties" > "$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 120); do grep -q 'Kafka Server started' "$work/broker.log" && break; sleep 1; done
grep -q 'Kafka Server started' "$work/broker.log" || { tail -20 "$work/broker.log" >&2; exit 1; }
echo "broker started in $(echo "$(date +%s.%N) - $started_at" | bc | cut -c1-5) s (polled every second), RSS $(( $(ps -o rss= -p "$broker_pid") / 1024 )) MiB with -Xmx512m" >&2
k() { local ns=$1; shift; ip netns exec "nmk$slot-$ns" java "${tools[@]}" "$@"; }
b=(--bootstrap-server "$net.1:9092")
k prod org.apache.kafka.tools.TopicCommand "${b[@]}" --create --topic orders --partitions 1 --replication-factor 1
k prod org.apache.kafka.tools.TopicCommand "${b[@]}" --create --topic shipping --partitions 1 --replication-factor 1
# An ACL on `secret` for somebody else (ANONYMOUS is then denied there), and a prefixed one.
k prod org.apache.kafka.tools.AclCommand "${b[@]}" --add --allow-principal User:alice --operation Read --topic secret >/dev/null
k prod org.apache.kafka.tools.AclCommand "${b[@]}" --add --allow-principal User:ANONYMOUS --operation Write --operation Describe --topic aud --resource-pattern-type prefixed >/dev/null
printf 'o1\no2\no3\n' | k prod org.apache.kafka.tools.ConsoleProducer "${b[@]}" --topic orders
printf 'a1\n' | k prod org.apache.kafka.tools.ConsoleProducer "${b[@]}" --topic audit
printf 's1\n' | k prod org.apache.kafka.tools.ConsoleProducer "${b[@]}" --topic secret --producer-property max.block.ms=5000 --producer-property delivery.timeout.ms=6000 --producer-property request.timeout.ms=5000 2>/dev/null || true
k cons org.apache.kafka.tools.consumer.ConsoleConsumer "${b[@]}" --topic orders --group shipper --from-beginning --max-messages 3 --timeout-ms 20000 >/dev/null
printf 'sh1\n' | k cons org.apache.kafka.tools.ConsoleProducer "${b[@]}" --topic shipping
k desc org.apache.kafka.tools.TopicCommand "${b[@]}" --describe --topic orders >/dev/null
k desc org.apache.kafka.tools.TopicCommand "${b[@]}" --describe --topic shipping >/dev/null
sleep 1
echo "broker RSS after the clients: $(( $(ps -o rss= -p "$broker_pid") / 1024 )) MiB" >&2
# Every authorizer line but the broker's own heartbeats past the third, and every 60th other line.
awk '/kafka.authorizer.logger/ { if (/request = BrokerHeartbeat/ && hb++ >= 3) next; print; next } /^\[/ { if (other++ % 60 == 0) print }' "$work/broker.log" > "$out"
echo "wrote $(grep -c kafka.authorizer.logger "$out") authorizer lines to $out" >&2
