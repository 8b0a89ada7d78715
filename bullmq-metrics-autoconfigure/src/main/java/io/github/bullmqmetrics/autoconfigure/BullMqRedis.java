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
package io.github.bullmqmetrics.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Qualifier annotation for the {@code RedisConnectionFactory} that BullMQ metrics read,
 * when the application has several: put it on the {@code @Bean} method (or the class) of
 * the factory of the Redis that BullMQ's queues live in. Like Spring Boot's
 * {@code @FlywayDataSource}, a factory marked with it is used even when another one is
 * {@code @Primary}.
 * <p>
 * Declaring the marked factory with {@code @Bean(defaultCandidate = false)} keeps it out
 * of the application's own injection points, so that Spring Boot still auto-configures
 * the application's Redis from {@code spring.data.redis.*}. Being a
 * {@code RedisConnectionFactory} bean, it is still checked by Spring Boot's own
 * {@code redis} health indicator. To give BullMQ metrics a Redis of their own without a
 * bean, which Spring Boot's indicator never sees, set {@code bullmq.redis.*} instead.
 *
 * @author bullmq-metrics authors
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface BullMqRedis {

}
