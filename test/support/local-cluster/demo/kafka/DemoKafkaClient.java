// The local cluster's Kafka demo clients, on Kafka's own Java client (kafka-clients, the
// reference client, maintained with the broker and already in the Kafka image). One log line per
// call, as the demo app writes them: `<ISO time> <pod> kafka://<topic>/<operation> -> <result>`.
//   produce TOPIC              sends one record to TOPIC every INTERVAL_MS
//   relay GROUP IN OUT         consumer group GROUP reads IN and produces each record to OUT
//   describe TOPIC...          describes the topics every INTERVAL_MS (Admin API)
//   create-topics TOPIC...     creates the topics (existing ones are fine), retrying until the broker answers, then exits
//   produce-once TOPIC         sends one record and exits 0 when it was acknowledged, 1 otherwise
//   acls                       prints every ACL (Admin API), one per line, and exits
// BOOTSTRAP names the broker (host:port). With TLS_DIR (tls.crt, tls.key, ca.crt: a Secret in the
// cert-manager shape) the client speaks TLS and presents its certificate: the broker's principal
// for it is the certificate's subject (User:CN=<workload>.<namespace>).
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class DemoKafkaClient {
  private static final String NAME = env("POD_NAME", env("HOSTNAME", "demo"));
  private static final String BOOTSTRAP = env("BOOTSTRAP", "localhost:9092");
  private static final long INTERVAL_MS = Long.parseLong(env("INTERVAL_MS", "2000"));
  private static final int TIMEOUT_MS = Integer.parseInt(env("CALL_TIMEOUT_MS", "5000"));
  private static final String TLS_DIR = env("TLS_DIR", "");

  private DemoKafkaClient() {}

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private static void log(String topic, String operation, String result) {
    System.out.println(Instant.now() + " " + NAME + " kafka://" + topic + "/" + operation + " -> " + result);
  }

  /** Kafka's error code name for an API error (TOPIC_AUTHORIZATION_FAILED), else the exception's class. */
  private static String describe(Throwable error) {
    Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof ApiException) {
      org.apache.kafka.common.protocol.Errors code = org.apache.kafka.common.protocol.Errors.forException(cause);
      if (code != org.apache.kafka.common.protocol.Errors.UNKNOWN_SERVER_ERROR) return code.name();
    }
    return cause.getClass().getSimpleName();
  }

  private static Properties common() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, NAME);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    if (!TLS_DIR.isEmpty()) {
      // PEM given inline: no key store files to convert (Kafka reads PKCS#8 keys and PEM chains).
      props.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SSL");
      props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
      props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, read("tls.key"));
      props.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, read("tls.crt"));
      props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
      props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, read("ca.crt"));
    }
    return props;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(TLS_DIR, file));
    } catch (IOException error) {
      throw new IllegalStateException("TLS_DIR " + TLS_DIR + ": cannot read " + file, error);
    }
  }

  private static KafkaProducer<String, String> producer() {
    Properties props = common();
    props.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, TIMEOUT_MS);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, TIMEOUT_MS + 1000);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static boolean send(KafkaProducer<String, String> producer, String topic, String value) {
    try {
      producer.send(new ProducerRecord<>(topic, NAME, value)).get(TIMEOUT_MS + 2000L, TimeUnit.MILLISECONDS);
      log(topic, "produce", "ok");
      return true;
    } catch (Exception error) {
      log(topic, "produce", describe(error));
      return false;
    }
  }

  private static void sleep() throws InterruptedException {
    Thread.sleep(INTERVAL_MS);
  }

  private static void produce(String topic) throws InterruptedException {
    try (KafkaProducer<String, String> producer = producer()) {
      for (long n = 0; ; n++) {
        send(producer, topic, "order-" + n);
        sleep();
      }
    }
  }

  private static void relay(String group, String in, String out) {
    Properties props = common();
    props.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        KafkaProducer<String, String> producer = producer()) {
      consumer.subscribe(List.of(in));
      while (true) {
        try {
          int count = 0;
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(INTERVAL_MS))) {
            count++;
            send(producer, out, "shipment-for-" + record.value());
          }
          log(in, "consume", count + " records");
        } catch (ApiException error) {
          log(in, "consume", describe(error));
          sleep();
        }
      }
    } catch (InterruptedException error) {
      Thread.currentThread().interrupt();
    }
  }

  private static void describeTopics(List<String> topics) throws InterruptedException {
    try (Admin admin = Admin.create(common())) {
      while (true) {
        for (String topic : topics) {
          try {
            admin.describeTopics(List.of(topic)).allTopicNames().get();
            log(topic, "describe", "ok");
          } catch (ExecutionException error) {
            log(topic, "describe", describe(error));
          }
        }
        sleep();
      }
    }
  }

  private static void createTopics(List<String> topics) throws InterruptedException {
    try (Admin admin = Admin.create(common())) {
      for (String topic : topics) {
        while (true) {
          try {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            log(topic, "create", "ok");
            break;
          } catch (ExecutionException error) {
            if (error.getCause() instanceof TopicExistsException) {
              log(topic, "create", "exists");
              break;
            }
            log(topic, "create", describe(error));
            Thread.sleep(1000);
          }
        }
      }
    }
  }

  private static void printAcls() throws Exception {
    try (Admin admin = Admin.create(common())) {
      List<String> lines = new ArrayList<>();
      for (AclBinding acl : admin.describeAcls(AclBindingFilter.ANY).values().get()) {
        lines.add(acl.pattern().resourceType() + " " + acl.pattern().patternType() + " " + acl.pattern().name() + " "
            + acl.entry().principal() + " " + acl.entry().host() + " " + acl.entry().operation() + " " + acl.entry().permissionType());
      }
      lines.sort(null);
      lines.forEach(System.out::println);
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
    switch (mode) {
      case "produce" -> produce(rest.get(0));
      case "relay" -> relay(rest.get(0), rest.get(1), rest.get(2));
      case "describe" -> describeTopics(rest);
      case "create-topics" -> createTopics(rest);
      case "produce-once" -> {
        try (KafkaProducer<String, String> producer = producer()) {
          System.exit(send(producer, rest.get(0), "once") ? 0 : 1);
        }
      }
      case "acls" -> printAcls();
      default -> {
        System.err.println("usage: DemoKafkaClient produce|relay|describe|create-topics|produce-once|acls ...");
        System.exit(2);
      }
    }
  }
}
