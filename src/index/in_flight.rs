//! A bound on the documents waiting for tantivy's indexing threads.
//!
//! tantivy's writer queues up to 10,000 batches between `IndexWriter::run`
//! and its indexing threads, and a brief is one batch. Whenever indexing is
//! slower than reading (while both indexing threads write their segments,
//! or when extraction is cheap), that queue fills with analysed documents
//! (terms, stored text, the brief's text) of up to 10,000 briefs: for
//! long reports, gigabytes. The writer gives no way to see how full its
//! queue is, so each document carries a ticket for its estimated size: the
//! ticket is dropped once an indexing thread has indexed the document, and
//! [`Gate::admit`] blocks the producer while the documents in flight exceed
//! [`MAX_BYTES_IN_FLIGHT`]. Only the gate makes a [`QueuedDocument`], and
//! the build's writer takes nothing else. Measured on 100,000
//! generated briefs built without extraction (the writer then is the
//! bottleneck throughout): peak anonymous memory 595 -> 518 MB.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use tantivy::schema::{Document, Value};
use tantivy::TantivyDocument;

/// Bytes of queued documents above which the producer waits. Briefs are a
/// few kilobytes, so this keeps thousands in the queue: the indexing
/// threads never wait for work, and the queue is a tenth of the default
/// writer budget.
pub const MAX_BYTES_IN_FLIGHT: usize = 24 * 1024 * 1024;

/// Counts the bytes of documents given to the writer and not yet indexed.
#[derive(Clone, Debug)]
pub struct Gate {
    limit: usize,
    state: Arc<(Mutex<usize>, Condvar)>,
}

impl Gate {
    pub fn new(limit: usize) -> Gate {
        Gate {
            limit,
            state: Arc::new((Mutex::new(0), Condvar::new())),
        }
    }

    /// Wraps a brief's documents for the writer, first waiting until the
    /// documents in flight leave room for them. A brief larger than the
    /// limit is let through once the queue is empty, so nothing waits forever.
    pub fn admit(&self, documents: Vec<TantivyDocument>) -> Vec<QueuedDocument> {
        let sizes: Vec<usize> = documents.iter().map(estimated_size).collect();
        let total: usize = sizes.iter().sum();
        let (count, freed) = &*self.state;
        let mut in_flight = count.lock().unwrap_or_else(PoisonError::into_inner);
        while *in_flight > 0 && *in_flight + total > self.limit {
            in_flight = freed.wait(in_flight).unwrap_or_else(PoisonError::into_inner);
        }
        *in_flight += total;
        drop(in_flight);
        documents
            .into_iter()
            .zip(sizes)
            .map(|(doc, bytes)| QueuedDocument {
                doc,
                _ticket: Ticket {
                    bytes,
                    state: Arc::clone(&self.state),
                },
            })
            .collect()
    }

    /// Bytes given to the writer and not yet indexed.
    #[cfg(test)]
    fn in_flight(&self) -> usize {
        *self.state.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A document's share of the bytes in flight, given back when it is dropped.
#[derive(Debug)]
struct Ticket {
    bytes: usize,
    state: Arc<(Mutex<usize>, Condvar)>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let (count, freed) = &*self.state;
        let mut in_flight = count.lock().unwrap_or_else(PoisonError::into_inner);
        *in_flight = in_flight.saturating_sub(self.bytes);
        freed.notify_all();
    }
}

/// A document on its way to the writer: tantivy indexes it like the
/// document it wraps, and drops it (returning its ticket) once indexed.
#[derive(Debug)]
pub struct QueuedDocument {
    doc: TantivyDocument,
    _ticket: Ticket,
}

impl Document for QueuedDocument {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }
}

/// What a document holds in memory, roughly: its strings, and a few words
/// per value for the value itself.
fn estimated_size(doc: &TantivyDocument) -> usize {
    doc.iter_fields_and_values()
        .map(|(_, value)| 16 + value.as_str().map_or(0, str::len))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tantivy::schema::{Schema, STORED};

    fn doc_of(text: &str) -> TantivyDocument {
        let mut b = Schema::builder();
        let field = b.add_text_field("text", STORED);
        let mut doc = TantivyDocument::default();
        doc.add_text(field, text);
        doc
    }

    #[test]
    fn dropping_an_indexed_document_gives_its_bytes_back() {
        let gate = Gate::new(1000);
        let queued = gate.admit(vec![doc_of(&"a".repeat(100)), doc_of("b")]);
        assert_eq!(gate.in_flight(), 116 + 17);
        let values: Vec<_> = queued[0].iter_fields_and_values().collect();
        assert_eq!(values.len(), 1, "the wrapper shows the document's values");
        drop(queued);
        assert_eq!(gate.in_flight(), 0);
    }

    #[test]
    fn a_full_queue_holds_the_producer_until_documents_are_indexed() {
        let gate = Gate::new(200);
        let first = gate.admit(vec![doc_of(&"a".repeat(150))]);
        let (sent, received) = std::sync::mpsc::channel();
        let producer = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                let second = gate.admit(vec![doc_of(&"b".repeat(150))]);
                sent.send(()).ok();
                second
            })
        };
        assert!(
            received.recv_timeout(Duration::from_millis(200)).is_err(),
            "admitted while the queue was full"
        );
        drop(first);
        assert!(received.recv_timeout(Duration::from_secs(10)).is_ok(), "never admitted");
        let second = producer.join().expect("producer");
        assert_eq!(gate.in_flight(), 166);
        drop(second);
        assert_eq!(gate.in_flight(), 0);
    }

    #[test]
    fn a_brief_larger_than_the_limit_passes_an_empty_queue() {
        let gate = Gate::new(10);
        let queued = gate.admit(vec![doc_of(&"a".repeat(100))]);
        assert_eq!(gate.in_flight(), 116);
        drop(queued);
    }
}
