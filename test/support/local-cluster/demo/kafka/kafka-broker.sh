#!/bin/sh
# The Kafka image's entrypoint: one KRaft node that is broker and controller (the controller on
# loopback), formatted on first start, the authorizer on and allowing everything while no ACL
# exists. Topics named in TOPICS are created once it answers (from loopback: no client of the
# map). KAFKA_HEAP_OPTS bounds the heap.
# Without TLS_DIR: one PLAINTEXT listener on 9092 advertising POD_IP (every client User:ANONYMOUS).
# With TLS_DIR (tls.crt, tls.key, ca.crt: a Secret in the cert-manager shape): 9092 is an SSL
# listener that requires a client certificate signed by ca.crt, each client's principal its
# certificate's subject (User:CN=<workload>.<namespace>), advertised as ADVERTISED_HOST (a name the
# certificate holds); PLAINTEXT stays on loopback (9094) for the broker itself and the topic
# set-up; SUPER_USERS (e.g. the principal Otterize's operator administers ACLs with) may do anything.
set -eu
data=${KAFKA_DATA_DIR:-/var/lib/kafka/data}
config=/tmp/server.properties
if [ -n "${TLS_DIR:-}" ]; then
  : "${ADVERTISED_HOST:?a name in the broker's certificate, e.g. \$(POD_NAME).kafka.kafka.svc.cluster.local}"
  # Kafka's PEM key store: the private key (PKCS#8) and the certificate chain in one file.
  cat "$TLS_DIR/tls.key" "$TLS_DIR/tls.crt" > /tmp/keystore.pem
  local_bootstrap=localhost:9094
  listeners="listeners=SSL://:9092,INTERNAL://localhost:9094,CONTROLLER://localhost:9093
advertised.listeners=SSL://${ADVERTISED_HOST}:9092,INTERNAL://localhost:9094
listener.security.protocol.map=SSL:SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
ssl.client.auth=required
ssl.keystore.type=PEM
ssl.keystore.location=/tmp/keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.crt
super.users=${SUPER_USERS:-}"
else
  : "${POD_IP:?the pod IP (fieldRef status.podIP)}"
  local_bootstrap=localhost:9092
  listeners="listeners=PLAINTEXT://:9092,CONTROLLER://localhost:9093
advertised.listeners=PLAINTEXT://${POD_IP}:9092
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT"
fi
cat > "$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
controller.listener.names=CONTROLLER
$listeners
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
  (BOOTSTRAP=$local_bootstrap TLS_DIR= POD_NAME=topic-setup java $tools DemoKafkaClient create-topics $TOPICS) &
fi
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xmx256m -Xms256m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -cp '/opt/kafka/libs/*' -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties kafka.Kafka "$config"
