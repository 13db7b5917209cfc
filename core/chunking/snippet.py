"""The Python that reproduces a split, shown on the Chunking page."""

from __future__ import annotations

from core.config import ChunkConfig

_SETUP = '''text = open("{name}.txt", encoding="utf-8").read()  # the extracted text (download it on the page)
'''


def reproduce_snippet(config: ChunkConfig, name: str) -> str:
    """Code that splits the extracted text of `name` the same way (tiktoken cl100k sizes)."""
    size, overlap = config.chunk_size, config.chunk_overlap
    setup = _SETUP.format(name=name)
    if config.strategy == "fixed_tokens":
        return (f"from langchain_text_splitters import TokenTextSplitter\n\n{setup}"
                f'splitter = TokenTextSplitter(encoding_name="cl100k_base", chunk_size={size}, chunk_overlap={overlap})\n'
                "chunks = splitter.split_text(text)\n")  # fmt: skip
    if config.strategy == "recursive":
        return (f"from langchain_text_splitters import RecursiveCharacterTextSplitter\n\n{setup}"
                "splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(\n"
                f'    encoding_name="cl100k_base", chunk_size={size}, chunk_overlap={overlap}\n)\n'
                "chunks = splitter.split_text(text)\n")  # fmt: skip
    extra = f", semantic_percentile={config.semantic_percentile}" if config.strategy == "semantic" else ""
    embedder = "SentenceTransformerEmbedder()" if config.strategy == "semantic" else "None"
    return ("# markdown_headers, sentence and semantic are this project's own splitters (see core/chunking)\n"
            "from core.chunking import chunk_document\nfrom core.config import ChunkConfig, IngestConfig\n"
            "from core.embedding import SentenceTransformerEmbedder\nfrom core.ingest import parse_file\n"
            "from core.types import SourceFile\n\n"
            f'document = parse_file(SourceFile("{name}", open("{name}", "rb").read()), IngestConfig())\n'
            f'config = ChunkConfig(strategy="{config.strategy}", chunk_size={size}, chunk_overlap={overlap}{extra})\n'
            f"chunks = chunk_document(document, config, {embedder})\n")  # fmt: skip
