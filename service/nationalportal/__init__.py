"""The national public-service portal (Cổng Dịch vụ công quốc gia, DVCQG): every dossier step pushed to
it, results published at a stable URL, dossiers filed there taken in (../shared/INTEGRATION.md §2-3)."""
