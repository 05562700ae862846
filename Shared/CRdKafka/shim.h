// librdkafka, including the mock cluster API the dev broker hosts (Debian librdkafka-dev).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
