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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * One of this exporter's read-only Lua scripts, and its calls: {@code EVAL_RO}, so that
 * Redis itself refuses any write, or {@code EVAL} on a Redis older than 7.0, which lacks
 * {@code EVAL_RO}.
 *
 * @author bullmq-metrics authors
 */
final class LuaScript {

	private final byte[] source;

	private LuaScript(byte[] source) {
		this.source = source;
	}

	/**
	 * Load a script that lies beside this class.
	 * @param resource the file name, for example {@code queue-counts.lua}
	 * @return the script
	 */
	static LuaScript load(String resource) {
		try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException(resource + " is missing from the classpath");
			}
			return new LuaScript(in.readAllBytes());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Prepare a call.
	 * @param redis what is known of the Redis it goes to
	 * @param keys the keys
	 * @param args the arguments
	 * @return the call, to send and then receive
	 */
	Call call(ScriptSupport redis, byte[][] keys, byte[]... args) {
		return new Call(redis, keys, args);
	}

	/**
	 * Whether a Redis has {@code EVAL_RO}, learnt from its first refusal. One per reader,
	 * since each reader has its own Redis.
	 */
	static final class ScriptSupport {

		private volatile boolean readOnly = true;

	}

	/**
	 * One call of the script. Calls are sent before any reply is awaited, so several may
	 * go out as {@code EVAL_RO} before the first refusal comes back: each resends itself
	 * with {@code EVAL}.
	 */
	final class Call {

		private final ScriptSupport redis;

		private final byte[][] keys;

		private final byte[][] args;

		@SuppressWarnings("NullAway.Init") // send() always sets it before receive()
		private RedisFuture<List<Object>> reply;

		private boolean sentReadOnly;

		private Call(ScriptSupport redis, byte[][] keys, byte[][] args) {
			this.redis = redis;
			this.keys = keys;
			this.args = args;
		}

		void send(LettuceSession session) {
			RedisClusterAsyncCommands<byte[], byte[]> commands = session.commands();
			this.sentReadOnly = this.redis.readOnly;
			this.reply = this.sentReadOnly
					? commands.evalReadOnly(LuaScript.this.source, ScriptOutputType.MULTI, this.keys, this.args)
					: commands.eval(LuaScript.this.source, ScriptOutputType.MULTI, this.keys, this.args);
		}

		List<?> receive(LettuceSession session) {
			try {
				return session.await(this.reply);
			}
			catch (BullMqReadException ex) {
				if (!this.sentReadOnly || !LettuceSession.isUnknownCommand(ex)) {
					throw ex;
				}
				// Redis before 7.0: the same script, which only reads, runs with EVAL.
				this.redis.readOnly = false;
				send(session);
				return session.await(this.reply);
			}
		}

	}

}
