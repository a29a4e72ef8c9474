//! Lint output: findings rendered for people (miette), machines (JSON, SARIF) and CI (GitHub annotations).
