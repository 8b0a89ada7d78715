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

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.github.bullmqmetrics.reader.FinishedJobCursors.Position;
import io.github.bullmqmetrics.reader.FinishedJobsScript.Anchor;
import io.github.bullmqmetrics.reader.FinishedJobsScript.Page;
import io.github.bullmqmetrics.reader.FinishedJobsScript.PageRequest;

/**
 * One read of the jobs of one queue and outcome that finished since its cursor, taken in
 * a page at a time: what the pages so far found, and where the next page starts.
 * <p>
 * The first page counts the range and BullMQ's lifetime count, atomically; each further
 * page starts right below the last job the previous one read (its anchor), so no job is
 * read twice. The read ends when the range is read, when {@code maxJobs} jobs are read,
 * or when the jobs read brought {@link FinishedJobsScript#OPTS_BYTES_PER_JOB} bytes of
 * {@code opts} per job allowed; the jobs left below the last page are then counted as
 * missed over the limit. Jobs of the range that neither a page read nor the last page
 * left below it were removed between two pages.
 *
 * @author bullmq-metrics authors
 */
final class FinishedJobsRange {

	private final String queue;

	private final JobOutcome outcome;

	private final Position from;

	private final int maxJobs;

	private final long optsBudget;

	private final List<FinishedJob> jobs = new ArrayList<>();

	private @Nullable Page first;

	private @Nullable Anchor last;

	private long read;

	private long gone;

	private long optsBytes;

	private long left;

	private boolean done;

	/**
	 * Start a read.
	 * @param queue the queue name
	 * @param outcome the outcome
	 * @param from where the cursor of this queue and outcome stands
	 * @param maxJobs the most jobs to read
	 */
	FinishedJobsRange(String queue, JobOutcome outcome, Position from, int maxJobs) {
		this.queue = queue;
		this.outcome = outcome;
		this.from = from;
		this.maxJobs = maxJobs;
		this.optsBudget = maxJobs * FinishedJobsScript.OPTS_BYTES_PER_JOB;
	}

	/**
	 * Return how many jobs are still to be read: the most jobs of a read before the first
	 * page, none once the read ended.
	 * @return the jobs
	 */
	int wanted() {
		if (this.done) {
			return 0;
		}
		if (this.first == null) {
			return this.maxJobs;
		}
		return (int) Math.min(this.left, this.maxJobs - this.read);
	}

	/**
	 * Return whether no page has been read yet.
	 * @return whether the next page is the first
	 */
	boolean firstPage() {
		return this.first == null;
	}

	/**
	 * Return what the next page reads.
	 * @param most the most jobs it reads, at most {@link #wanted()}
	 * @return the request
	 */
	PageRequest next(int most) {
		if (most < 1) {
			return PageRequest.NONE;
		}
		long pageBudget = most * FinishedJobsScript.OPTS_BYTES_PER_JOB;
		long readBudget = this.optsBudget - this.optsBytes;
		// A page always reads its first job, so that a read goes on, unless the budget of
		// the whole read is what limits it: then only the read's very first job is.
		boolean firstJobFree = this.read == 0 || pageBudget < readBudget;
		long budget = Math.min(pageBudget, readBudget);
		Anchor anchor = this.last;
		return (anchor != null)
				? new PageRequest(this.from.readUpTo(), anchor.score(), anchor.id(), most, budget, firstJobFree)
				: new PageRequest(this.from.readUpTo(), "", "", most, budget, firstJobFree);
	}

	/**
	 * Take in the page read for a {@link #next(int) request}.
	 * @param page the page
	 * @param request what was asked for
	 */
	void take(Page page, PageRequest request) {
		if (this.first == null) {
			this.first = page;
		}
		// Ended by the budget of the whole read, not by the page's own.
		boolean budgetSpent = page.cut() && request.optsBudget() >= this.optsBudget - this.optsBytes;
		for (FinishedJob job : page.jobs()) {
			if (job.readable()) {
				this.jobs.add(job);
			}
			else {
				this.gone++;
			}
		}
		this.read += page.jobs().size();
		this.optsBytes += page.optsBytes();
		this.left = page.left();
		if (page.last() != null) {
			this.last = page.last();
		}
		this.done = page.jobs().isEmpty() || this.left == 0 || this.read >= this.maxJobs || budgetSpent
				|| this.optsBytes >= this.optsBudget;
	}

	/**
	 * Return where the cursor of this queue and outcome moves once the whole read is in.
	 * @param readUpTo the newest {@code finishedOn} the read took in
	 * @return the position
	 */
	Position moved(long readUpTo) {
		Page page = firstPage(this.first);
		// No count yet is no job counted yet: workers without metrics never count.
		Long total = page.finishedTotal();
		long counted = (total != null) ? total : 0;
		return new Position(readUpTo, counted - page.later());
	}

	/**
	 * Return what the read found.
	 * @param readUpTo the newest {@code finishedOn} the read took in
	 * @return the jobs read and those missed
	 */
	FinishedJobs finished(long readUpTo) {
		Page page = firstPage(this.first);
		long removedBetweenPages = Math.max(0, page.found() - this.read - this.left);
		return new FinishedJobs(this.queue, this.outcome, this.jobs, this.left,
				this.gone + removedBetweenPages + this.from.removedBefore(moved(readUpTo), page.found()));
	}

	private Page firstPage(@Nullable Page page) {
		if (page == null) {
			throw new IllegalStateException("No page of " + this.queue + " (" + this.outcome + ") was read");
		}
		return page;
	}

}
