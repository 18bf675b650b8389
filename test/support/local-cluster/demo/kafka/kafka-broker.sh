#!/bin/sh
# The Kafka image's entrypoint: one KRaft node that is broker and controller (the controller on
# loopback), formatted on first start, the authorizer on and allowing everything while no ACL
# exists, advertising the pod's IP. Topics named in TOPICS are created once it answers (from
# loopback: no client of the map). KAFKA_HEAP_OPTS bounds the heap.
set -eu
: "${POD_IP:?the pod IP (fieldRef status.podIP)}"
data=${KAFKA_DATA_DIR:-/var/lib/kafka/data}
config=/tmp/server.properties
cat > "$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://localhost:9093
advertised.listeners=PLAINTEXT://${POD_IP}:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=true
PROPS
tools="-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp /opt/kafka/libs/*:/opt/kafka/demo -Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties"
if [ ! -f "$data/meta.properties" ]; then
  # shellcheck disable=SC2086 # the options are words
  java $tools kafka.tools.StorageTool format --ignore-formatted -t "${KAFKA_CLUSTER_ID:-r6SORiFNXkifF1g_WY_HMw}" -c "$config" >/dev/null
fi
if [ -n "${TOPICS:-}" ]; then
  # shellcheck disable=SC2086
  (BOOTSTRAP=localhost:9092 POD_NAME=topic-setup java $tools DemoKafkaClient create-topics $TOPICS) &
fi
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xmx256m -Xms256m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -cp '/opt/kafka/libs/*' -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties kafka.Kafka "$config"
