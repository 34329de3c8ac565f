.PHONY: run test lint validate
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
lint:
	python -m ruff check quiz tests app.py
validate:
	python -m quiz validate
