-- Fraud proofs (docs/evidence.md): every fraud finding carries its vitra-fraud-proof/1 document, as the canonical
-- bytes that were verified before the finding was stored; finding.proof_id (V1) is the SHA-256 of those bytes.
ALTER TABLE finding ADD COLUMN proof BYTEA;
