print("stress tool placeholder")
