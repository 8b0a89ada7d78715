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
package io.github.bullmqmetrics;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * Keeps the three layers apart: the reader knows BullMQ on Redis, the binder knows
 * Micrometer, and only the auto-configuration knows Spring Boot.
 *
 * @author bullmq-metrics authors
 */
class ArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.github.bullmqmetrics");

	@Test
	void layersOnlyDependDownwards() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("Reader")
			.definedBy("io.github.bullmqmetrics.reader..")
			.layer("Binder")
			.definedBy("io.github.bullmqmetrics.micrometer..")
			.layer("AutoConfigure")
			.definedBy("io.github.bullmqmetrics.autoconfigure..")
			.whereLayer("AutoConfigure")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("Binder")
			.mayOnlyBeAccessedByLayers("AutoConfigure")
			.whereLayer("Reader")
			.mayOnlyBeAccessedByLayers("Binder", "AutoConfigure")
			.check(this.classes);
	}

	@Test
	void theReaderKnowsNeitherMicrometerNorSpringBoot() {
		noClasses().that()
			.resideInAPackage("io.github.bullmqmetrics.reader..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.micrometer..", "org.springframework.boot..")
			.check(this.classes);
	}

	@Test
	void theBinderKnowsNeitherRedisNorSpringBoot() {
		noClasses().that()
			.resideInAPackage("io.github.bullmqmetrics.micrometer..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.boot..", "org.springframework.data..", "io.lettuce..")
			.check(this.classes);
	}

}
