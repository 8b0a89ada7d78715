/*
 * Copyright 2026 the bullmq-metrics authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.github.bullmqmetrics.reader;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link WorkerClientNames} on {@code CLIENT LIST} replies in the form Redis 7
 * writes them. That the names are those real BullMQ workers use is shown by
 * {@link WorkerCountsReadTests}.
 *
 * @author bullmq-metrics authors
 */
class WorkerClientNamesTests {

	@Test
	void theClientNameIsThePrefixAndTheBase64OfTheUtf8QueueName() {
		assertThat(WorkerClientNames.clientName(new BullMqKeys("bull"), "mail")).isEqualTo("bull:bWFpbA==");
		assertThat(WorkerClientNames.clientName(new BullMqKeys("bull"), "emoji 🚀 queue"))
			.isEqualTo("bull:ZW1vamkg8J+agCBxdWV1ZQ==");
		assertThat(WorkerClientNames.clientName(new BullMqKeys("bull"), "new\nline")).isEqualTo("bull:bmV3CmxpbmU=");
	}

	@Test
	void thePrefixIsUsedAsItIsWithItsHashTagAndColons() {
		assertThat(WorkerClientNames.clientName(new BullMqKeys("{bull}"), "{north}")).isEqualTo("{bull}:e25vcnRofQ==");
		assertThat(WorkerClientNames.clientName(new BullMqKeys("my:app:"), "mail")).isEqualTo("my:app::bWFpbA==");
	}

	@Test
	void countsUnnamedAndNamedWorkersOfEachQueue() {
		WorkerClientNames names = new WorkerClientNames(new BullMqKeys("bull"), List.of("mail", "a"));
		String clients = clientList("bull:bWFpbA==", "bull:bWFpbA==", "bull:bWFpbA==:w:sender-1", "bull:YQ==:w:x");
		assertThat(names.count(clients)).containsExactly(entry("mail", 3L), entry("a", 1L));
	}

	@Test
	void aQueueWithoutWorkersCountsZero() {
		WorkerClientNames names = new WorkerClientNames(new BullMqKeys("bull"), List.of("mail", "idle"));
		assertThat(names.count(clientList("bull:bWFpbA=="))).containsExactly(entry("mail", 1L), entry("idle", 0L));
		assertThat(names.count("")).containsExactly(entry("mail", 0L), entry("idle", 0L));
	}

	@Test
	void queueEventsAndOtherClientsAreNotWorkers() {
		WorkerClientNames names = new WorkerClientNames(new BullMqKeys("bull"), List.of("mail"));
		String clients = clientList("bull:bWFpbA==:qe", "bull:bWFpbA==x", "bull:bWFpbA==:w", "bull:bWFpbA==:wx:y",
				"other:bWFpbA==", "bull:bWFpbA==(refresher)", "bWFpbA==", "", "bull:mail");
		assertThat(names.count(clients)).containsExactly(entry("mail", 0L));
	}

	@Test
	void aWorkerNameHoldingColonWColonCountsOnce() {
		WorkerClientNames names = new WorkerClientNames(new BullMqKeys("bull"), List.of("mail"));
		assertThat(names.count(clientList("bull:bWFpbA==:w:a:w:b", "bull:bWFpbA==:w:"))).containsEntry("mail", 2L);
	}

	@Test
	void aPrefixHoldingColonWColonStillMatchesItsOwnQueuesOnly() {
		WorkerClientNames names = new WorkerClientNames(new BullMqKeys("x:w:y"), List.of("mail"));
		String clients = clientList("x:w:y:bWFpbA==", "x:w:y:bWFpbA==:w:named", "x:bWFpbA==", "x:w:bWFpbA==");
		assertThat(names.count(clients)).containsEntry("mail", 2L);
	}

	@Test
	void readsTheNameFieldOnlyAndNotLookalikeFields() {
		WorkerClientNames names = new WorkerClientNames(new BullMqKeys("bull"), List.of("mail"));
		String clients = "id=3 addr=127.0.0.1:1 laddr=127.0.0.1:2 fd=8 name= age=1 lib-name=bull:bWFpbA== "
				+ "lib-ver=bull:bWFpbA== cmd=client|list user=default\r\n"
				+ "id=4 addr=127.0.0.1:3 fd=9 name=bull:bWFpbA== age=1 lib-name= lib-ver= cmd=bzpopmin\r\n";
		assertThat(names.count(clients)).containsEntry("mail", 1L);
	}

	private static String clientList(String... names) {
		return Stream.of(names)
			.map((name) -> "id=5 addr=127.0.0.1:50774 laddr=127.0.0.1:16391 fd=8 name=" + name
					+ " age=1 idle=1 flags=b db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=22 "
					+ "multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22318 events=r cmd=bzpopmin "
					+ "user=default redir=-1 resp=2")
			.collect(Collectors.joining("\n", "", "\n"));
	}

}
