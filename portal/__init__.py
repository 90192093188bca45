"""The web app (FastAPI) for stewards, researchers, policy analysts and citizens, over the
same services as the CLI. Not built yet: see the issues.
"""
