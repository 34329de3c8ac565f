.PHONY: run test lint validate
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
lint:
	python -m ruff check quiz quiz_devtools tests app.py serve.py
	python -m mypy
validate:
	python -m quiz validate
