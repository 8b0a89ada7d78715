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

package io.github.bullmqmetrics.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and a server certificate it signed for
 * {@code 127.0.0.1} and {@code localhost}, made with {@code openssl} from the
 * {@code PATH} in a temporary directory that {@link #close()} deletes. Nothing is
 * committed: every test run makes its own. Without {@code openssl} the test is skipped
 * (it fails on CI).
 * <p>
 * Two calls to {@link #generate()} give two unrelated authorities, so one of them is the
 * "wrong CA" for a server that presents the other's certificate.
 *
 * @author bullmq-metrics authors
 */
public final class TlsCertificates implements AutoCloseable {

	private static final long TIMEOUT_SECONDS = 30;

	private final Path directory;

	private TlsCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * Make a new CA and a server certificate signed by it.
	 * @return the certificates
	 */
	public static TlsCertificates generate() {
		Path openssl = Prerequisites.findExecutable("openssl")
			.orElseThrow(() -> Prerequisites.missing("openssl is not on the PATH, and the TLS tests need it to make "
					+ "their certificates: install it (for example apt-get install openssl)"));
		Path directory = LocalRedisProcess.createDirectory("bullmq-tls-");
		TlsCertificates certificates = new TlsCertificates(directory);
		try {
			certificates.write("server.ext",
					"basicConstraints=CA:FALSE\n" + "keyUsage=critical,digitalSignature,keyEncipherment\n"
							+ "extendedKeyUsage=serverAuth\n" + "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
			run(openssl, directory, "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-sha256", "-days", "2",
					"-subj", "/CN=bullmq-metrics test CA " + directory.getFileName(), "-addext",
					"basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout",
					"ca.key", "-out", "ca.crt");
			run(openssl, directory, "req", "-new", "-nodes", "-newkey", "rsa:2048", "-sha256", "-subj", "/CN=127.0.0.1",
					"-keyout", "server.key", "-out", "server.csr");
			run(openssl, directory, "x509", "-req", "-sha256", "-days", "2", "-in", "server.csr", "-CA", "ca.crt",
					"-CAkey", "ca.key", "-CAcreateserial", "-extfile", "server.ext", "-out", "server.crt");
			return certificates;
		}
		catch (RuntimeException | Error ex) {
			certificates.close();
			throw ex;
		}
	}

	/**
	 * Return the CA's certificate (PEM), the one to trust.
	 * @return the file
	 */
	public Path caCertificate() {
		return this.directory.resolve("ca.crt");
	}

	/**
	 * Return the server's certificate (PEM), for {@code 127.0.0.1} and {@code localhost}.
	 * @return the file
	 */
	public Path serverCertificate() {
		return this.directory.resolve("server.crt");
	}

	/**
	 * Return the server's private key (PEM, unencrypted).
	 * @return the file
	 */
	public Path serverKey() {
		return this.directory.resolve("server.key");
	}

	/**
	 * Delete the files.
	 */
	@Override
	public void close() {
		LocalRedisProcess.deleteRecursively(this.directory);
	}

	private void write(String name, String content) {
		try {
			Files.writeString(this.directory.resolve(name), content, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void run(Path openssl, Path directory, String... args) {
		List<String> command = new ArrayList<>(List.of(openssl.toString()));
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command).directory(directory.toFile())
				.redirectErrorStream(true)
				.start();
			process.getOutputStream().close();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("openssl did not finish in " + TIMEOUT_SECONDS + "s: " + command);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						"openssl failed with exit code " + process.exitValue() + ": " + command + "\n" + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + command, ex);
		}
	}

}
